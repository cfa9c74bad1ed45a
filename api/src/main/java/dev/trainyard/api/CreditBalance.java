package dev.trainyard.api;

import java.math.BigDecimal;

/**
 * An organization's credits: the balance (the sum of its transactions), what its queued and running
 * jobs hold for their next metering period, and what is left to spend.
 */
public record CreditBalance(
        String organization, BigDecimal balance, String currency, BigDecimal reserved, BigDecimal available) {}
