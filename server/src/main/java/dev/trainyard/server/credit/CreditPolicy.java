package dev.trainyard.server.credit;

import java.time.Duration;

/**
 * How jobs are charged: the ledger, the price list and the metering period (a submission must be
 * able to pay one period; a running job is billed every period and stopped when the next one
 * cannot be paid).
 */
public record CreditPolicy(Ledger ledger, PriceList prices, Duration meteringPeriod) {

    /** Micro-credits an hour for the resources a job asks for. */
    public long costPerHour(String gpuType, int gpus, int cpuCores, long memoryMb) {
        return prices.costPerHour(gpuType, gpus, cpuCores, memoryMb);
    }

    /** What one metering period of a job costs: what a submission holds back. */
    public long periodCost(long costPerHour) {
        long cost = Money.costOf(costPerHour, meteringPeriod.toMillis());
        return costPerHour > 0 ? Math.max(1, cost) : 0;
    }
}
