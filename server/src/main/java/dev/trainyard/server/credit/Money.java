package dev.trainyard.server.credit;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Credits are stored and added as whole micro-credits (a {@code long}: 10^-6 credit), never as
 * floating point, and shown as decimals with at most six places.
 */
public final class Money {
    public static final long MICROS = 1_000_000L;
    private static final long MILLIS_PER_HOUR = 3_600_000L;

    private Money() {}

    /** Micro-credits of a decimal amount; ArithmeticException beyond six decimal places or the range. */
    public static long micros(BigDecimal credits) {
        return credits.movePointRight(6).longValueExact();
    }

    public static BigDecimal credits(long micros) {
        BigDecimal value = BigDecimal.valueOf(micros, 6).stripTrailingZeros();
        return value.scale() < 0 ? value.setScale(0) : value;
    }

    /**
     * What {@code millis} of run time cost at {@code perHour} micro-credits an hour, rounded half up
     * to a whole micro-credit. Usage is billed as the change of this figure since the last bill, so a
     * job's entries always add up to the cost of its whole run, rounded once.
     */
    public static long costOf(long perHour, long millis) {
        if (perHour <= 0 || millis <= 0) {
            return 0;
        }
        return BigDecimal.valueOf(perHour)
                .multiply(BigDecimal.valueOf(millis))
                .divide(BigDecimal.valueOf(MILLIS_PER_HOUR), 0, RoundingMode.HALF_UP)
                .longValueExact();
    }
}
