package dev.trainyard.server.executor.local;

import dev.trainyard.server.executor.GpuUse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Reads what this host's NVIDIA GPUs are doing, with {@code nvidia-smi}. */
final class GpuMonitor {
    private static final long MIB = 1024L * 1024;

    private GpuMonitor() {}

    /** Utilization and memory in use of each GPU by index; empty without nvidia-smi or on any failure. */
    static Map<Integer, GpuUse> read() {
        try {
            Process process = new ProcessBuilder(
                            "nvidia-smi",
                            "--query-gpu=index,utilization.gpu,memory.used",
                            "--format=csv,noheader,nounits")
                    .redirectErrorStream(true)
                    .start();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Map.of();
            }
            List<String> lines = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
            return process.exitValue() == 0 ? parse(lines) : Map.of();
        } catch (IOException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    /**
     * Parses "index, utilization.gpu [%], memory.used [MiB]" lines; a GPU whose figures are not
     * numbers ("[N/A]", as some report when idle or in MIG mode) is left out rather than shown as 0.
     */
    static Map<Integer, GpuUse> parse(List<String> lines) {
        Map<Integer, GpuUse> use = new HashMap<>();
        for (String line : lines) {
            String[] fields = line.split(",");
            if (fields.length < 3) {
                continue;
            }
            try {
                use.put(
                        Integer.parseInt(fields[0].trim()),
                        new GpuUse(Double.parseDouble(fields[1].trim()), Long.parseLong(fields[2].trim()) * MIB));
            } catch (NumberFormatException e) {
                // "[N/A]" or "[Not Supported]": nothing to show for this GPU.
            }
        }
        return Map.copyOf(use);
    }
}
