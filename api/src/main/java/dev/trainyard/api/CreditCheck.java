package dev.trainyard.api;

import java.math.BigDecimal;

/** Whether an organization can afford an amount: {@code balance} is what it has available now. */
public record CreditCheck(boolean sufficient, BigDecimal balance, BigDecimal required, String organization) {}
