package dev.trainyard.server.executor;

import java.util.List;
import java.util.Locale;

/** The resources of a host: cores, memory and GPUs by index and type. */
public record Inventory(String node, int cpuCores, long memoryMb, List<Gpu> gpus) {
    public Inventory {
        gpus = List.copyOf(gpus);
    }

    /** One GPU. */
    public record Gpu(int index, String type, long memoryMb) {
        /** Whether this GPU is of the type a job asks for (case and spacing ignored). */
        public boolean matches(String wanted) {
            return wanted == null
                    || normalize(type).equals(normalize(wanted))
                    || normalize(type).contains(normalize(wanted));
        }

        private static String normalize(String name) {
            return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "").replace("nvidia", "");
        }
    }
}
