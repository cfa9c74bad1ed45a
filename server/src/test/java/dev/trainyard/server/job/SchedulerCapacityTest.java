package dev.trainyard.server.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainyard.server.executor.Inventory;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulerCapacityTest {
    private static final Inventory HOST = new Inventory(
            "node",
            8,
            16_384,
            List.of(
                    new Inventory.Gpu(0, "NVIDIA H100 80GB HBM3", 81_559),
                    new Inventory.Gpu(1, "NVIDIA H100 80GB HBM3", 81_559),
                    new Inventory.Gpu(2, "NVIDIA A100-SXM4-40GB", 40_960)));

    @Test
    void picksFreeGpusOfTheAskedTypeWhateverTheSpelling() {
        Scheduler.Capacity free = Scheduler.Capacity.of(HOST);

        assertThat(free.pickGpus(new Scheduler.Demand("H100", 2, 1, 1024))).containsExactly(0, 1);
        assertThat(free.pickGpus(new Scheduler.Demand("a100", 1, 1, 1024))).containsExactly(2);
        assertThat(free.pickGpus(new Scheduler.Demand(null, 3, 1, 1024))).containsExactly(0, 1, 2);
        assertThat(free.pickGpus(new Scheduler.Demand("H100", 3, 1, 1024))).isNull();
        assertThat(free.pickGpus(new Scheduler.Demand("RTX A5000", 1, 1, 1024))).isNull();
    }

    @Test
    void subtractsWhatAJobHoldsAndSaysWhyTheNextWaits() {
        Scheduler.Capacity free =
                Scheduler.Capacity.of(HOST).minus(new Scheduler.Demand("H100", 1, 6, 12_288), List.of(0));
        Scheduler.Demand big = new Scheduler.Demand("H100", 2, 4, 8_192);

        assertThat(free.pickGpus(big)).isNull();
        assertThat(free.fits(big)).isFalse();
        assertThat(free.shortage(big))
                .isEqualTo("waiting for 2 GPUs of type H100: 1 free; waiting for 4 CPU cores: 2 free; "
                        + "waiting for 8192 MB of memory: 4096 MB free");
        assertThat(free.fits(new Scheduler.Demand(null, 0, 2, 4_096))).isTrue();
    }
}
