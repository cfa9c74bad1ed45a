package dev.trainyard.server.executor.local;

import dev.trainyard.server.executor.Inventory;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this host offers: cores and memory from the OS, GPUs from {@code nvidia-smi} when present,
 * or as declared in configuration (like Slurm's gres.conf) where detection is not wanted.
 */
public final class HostInventory {
    private static final Logger LOG = LoggerFactory.getLogger(HostInventory.class);

    private HostInventory() {}

    /**
     * @param cpuCores declared cores, or 0 to detect
     * @param memoryMb declared memory, or 0 to detect
     * @param gpus declared GPUs ("H100:2,A100:1"), "none", or null/empty to detect
     */
    public static Inventory detect(int cpuCores, long memoryMb, String gpus) {
        int cores = cpuCores > 0 ? cpuCores : Runtime.getRuntime().availableProcessors();
        long memory = memoryMb > 0 ? memoryMb : totalMemoryMb();
        List<Inventory.Gpu> found = gpus == null || gpus.isBlank() ? detectGpus() : declaredGpus(gpus);
        return new Inventory(hostName(), cores, memory, found);
    }

    /** Parses "H100:2,A100:1" (type and count; count 1 when left out) into indexed GPUs. */
    static List<Inventory.Gpu> declaredGpus(String declaration) {
        List<Inventory.Gpu> gpus = new ArrayList<>();
        if (declaration.trim().equalsIgnoreCase("none")) {
            return gpus;
        }
        for (String part : declaration.split(",")) {
            String trimmed = part.trim();
            int colon = trimmed.lastIndexOf(':');
            String type = colon < 0 ? trimmed : trimmed.substring(0, colon).trim();
            int count = colon < 0
                    ? 1
                    : Integer.parseInt(trimmed.substring(colon + 1).trim());
            if (type.isEmpty() || count < 1) {
                throw new IllegalArgumentException("GPU declaration '" + trimmed + "': expected TYPE or TYPE:COUNT");
            }
            for (int i = 0; i < count; i++) {
                gpus.add(new Inventory.Gpu(gpus.size(), type, 0));
            }
        }
        return gpus;
    }

    /** Parses nvidia-smi's "index, name, memory.total [MiB]" CSV lines. */
    static List<Inventory.Gpu> parseNvidiaSmi(List<String> lines) {
        List<Inventory.Gpu> gpus = new ArrayList<>();
        for (String line : lines) {
            String[] fields = line.split(",");
            if (fields.length < 3) {
                continue;
            }
            try {
                gpus.add(new Inventory.Gpu(
                        Integer.parseInt(fields[0].trim()),
                        fields[1].trim(),
                        Long.parseLong(fields[2].trim().replaceAll("[^0-9]", ""))));
            } catch (NumberFormatException e) {
                LOG.warn("ignoring an nvidia-smi line I cannot read: {}", line);
            }
        }
        return gpus;
    }

    private static List<Inventory.Gpu> detectGpus() {
        try {
            Process process = new ProcessBuilder(
                            "nvidia-smi", "--query-gpu=index,name,memory.total", "--format=csv,noheader,nounits")
                    .redirectErrorStream(true)
                    .start();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                LOG.warn("nvidia-smi did not answer within 15 s: no GPUs will be offered");
                return List.of();
            }
            List<String> lines = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
            return process.exitValue() == 0 ? parseNvidiaSmi(lines) : List.of();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private static long totalMemoryMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            LOG.warn("cannot read /proc/meminfo; using the JVM's view of memory");
        }
        return Runtime.getRuntime().maxMemory() / (1024 * 1024);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
