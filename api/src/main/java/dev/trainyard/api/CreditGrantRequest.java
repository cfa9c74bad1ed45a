package dev.trainyard.api;

import java.math.BigDecimal;

/** An administrator's grant of credits to an organization. */
public record CreditGrantRequest(String organization, BigDecimal amount, String reason) {}
