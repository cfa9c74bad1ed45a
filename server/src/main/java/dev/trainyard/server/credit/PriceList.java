package dev.trainyard.server.credit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What compute costs per hour, in micro-credits: per GPU by type (with a price for types not
 * listed), per CPU core and per GB of memory. A job's cost per hour is the sum for what it asks.
 *
 * @param gpuHour price of one GPU-hour by type, keys in upper case
 */
public record PriceList(Map<String, Long> gpuHour, long otherGpuHour, long cpuCoreHour, long memoryGbHour) {

    public PriceList {
        gpuHour = Map.copyOf(gpuHour);
    }

    /** Shipped prices: roughly what hosted GPU clouds ask, in credits. */
    public static PriceList defaults() {
        return new PriceList(
                Map.of(
                        "H200", micros("3.50"),
                        "H100", micros("2.50"),
                        "A100", micros("1.50"),
                        "L40S", micros("1.00"),
                        "A10", micros("0.60"),
                        "RTX A5000", micros("0.50"),
                        "RTX 4090", micros("0.45"),
                        "T4", micros("0.25")),
                micros("1.00"),
                micros("0.02"),
                micros("0.005"));
    }

    /**
     * Reads a price file: {@code {"gpu_hour": {"H100": 2.5, ...}, "other_gpu_hour": 1.0,
     * "cpu_core_hour": 0.02, "memory_gb_hour": 0.005}}; fields left out keep the shipped prices.
     */
    public static PriceList read(Path file, ObjectMapper mapper) throws IOException {
        PriceList base = defaults();
        JsonNode root = mapper.readTree(file.toFile());
        Map<String, Long> gpus = new TreeMap<>(base.gpuHour());
        JsonNode listed = root.path("gpu_hour");
        for (Iterator<Map.Entry<String, JsonNode>> it = listed.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            gpus.put(entry.getKey().trim().toUpperCase(Locale.ROOT), price(entry.getKey(), entry.getValue()));
        }
        return new PriceList(
                gpus,
                root.has("other_gpu_hour") ? price("other_gpu_hour", root.get("other_gpu_hour")) : base.otherGpuHour(),
                root.has("cpu_core_hour") ? price("cpu_core_hour", root.get("cpu_core_hour")) : base.cpuCoreHour(),
                root.has("memory_gb_hour") ? price("memory_gb_hour", root.get("memory_gb_hour")) : base.memoryGbHour());
    }

    /** Micro-credits an hour for what a job asks for. */
    public long costPerHour(String gpuType, int gpus, int cpuCores, long memoryMb) {
        long gpu = gpus == 0
                ? 0
                : gpus
                        * (gpuType == null
                                ? otherGpuHour
                                : gpuHour.getOrDefault(gpuType.toUpperCase(Locale.ROOT), otherGpuHour));
        long memory = BigDecimal.valueOf(memoryGbHour)
                .multiply(BigDecimal.valueOf(memoryMb))
                .divide(BigDecimal.valueOf(1024), 0, RoundingMode.HALF_UP)
                .longValueExact();
        return gpu + (long) cpuCores * cpuCoreHour + memory;
    }

    private static long price(String field, JsonNode value) {
        if (!value.isNumber() || value.decimalValue().signum() < 0) {
            throw new IllegalArgumentException("price " + field + " must be a number of credits, 0 or more");
        }
        return Money.micros(value.decimalValue().setScale(6, RoundingMode.HALF_UP));
    }

    private static long micros(String credits) {
        return Money.micros(new BigDecimal(credits));
    }
}
