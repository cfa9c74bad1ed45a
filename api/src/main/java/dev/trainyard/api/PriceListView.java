package dev.trainyard.api;

import java.math.BigDecimal;
import java.util.Map;

/** What compute costs, in credits per hour: per GPU by type, per CPU core, per GB of memory. */
public record PriceListView(
        String currency,
        Map<String, BigDecimal> gpuHour,
        BigDecimal otherGpuHour,
        BigDecimal cpuCoreHour,
        BigDecimal memoryGbHour) {}
