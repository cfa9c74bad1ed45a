package dev.trainyard.api;

import java.math.BigDecimal;
import java.time.Instant;

/** One movement of credits: grant, usage (negative), refund or adjustment, with the balance after it. */
public record CreditTransaction(
        String id,
        String organization,
        String type,
        BigDecimal amount,
        BigDecimal balanceAfter,
        String job,
        String reason,
        String createdBy,
        Instant createdAt) {}
