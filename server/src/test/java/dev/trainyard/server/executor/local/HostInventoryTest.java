package dev.trainyard.server.executor.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainyard.server.executor.Inventory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading what GPUs a host has, from nvidia-smi or from configuration. */
final class HostInventoryTest {
    @Test
    void nvidiaSmiLinesGiveIndexTypeAndMemory() {
        List<Inventory.Gpu> gpus = HostInventory.parseNvidiaSmi(
                List.of("0, NVIDIA H100 80GB HBM3, 81559", "1, NVIDIA H100 80GB HBM3, 81559 MiB"));

        assertThat(gpus)
                .containsExactly(
                        new Inventory.Gpu(0, "NVIDIA H100 80GB HBM3", 81559),
                        new Inventory.Gpu(1, "NVIDIA H100 80GB HBM3", 81559));
        assertThat(gpus.getFirst().matches("H100")).isTrue();
        assertThat(gpus.getFirst().matches("A100")).isFalse();
    }

    @Test
    void nvidiaSmiLinesThatCannotBeReadAreSkipped() {
        assertThat(HostInventory.parseNvidiaSmi(List.of("", "No devices were found", "x, NVIDIA A100, 40960")))
                .isEmpty();
    }

    @Test
    void declaredGpusAreNumberedInOrderWithTheirTypes() {
        assertThat(HostInventory.declaredGpus("H100:2,A100"))
                .containsExactly(
                        new Inventory.Gpu(0, "H100", 0),
                        new Inventory.Gpu(1, "H100", 0),
                        new Inventory.Gpu(2, "A100", 0));
    }

    @Test
    void noneDeclaresNoGpus() {
        assertThat(HostInventory.declaredGpus("none")).isEmpty();
        assertThat(HostInventory.detect(4, 4096, "none").gpus()).isEmpty();
    }

    @Test
    void malformedGpuDeclarationIsRejected() {
        assertThatThrownBy(() -> HostInventory.declaredGpus("H100:0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostInventory.declaredGpus(":2")).isInstanceOf(IllegalArgumentException.class);
    }
}
