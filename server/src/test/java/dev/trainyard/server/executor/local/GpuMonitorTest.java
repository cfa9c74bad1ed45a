package dev.trainyard.server.executor.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainyard.server.executor.GpuUse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GpuMonitorTest {
    @Test
    void parsesUtilizationAndMemoryAndLeavesOutGpusWithoutFigures() {
        Map<Integer, GpuUse> use = GpuMonitor.parse(List.of("0, 97, 40536", "1, [N/A], [N/A]", "2, 0, 0", "garbage"));

        assertThat(use)
                .containsOnlyKeys(0, 2)
                .containsEntry(0, new GpuUse(97, 40536L * 1024 * 1024))
                .containsEntry(2, new GpuUse(0, 0));
    }
}
