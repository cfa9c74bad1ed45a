package dev.trainyard.server.executor.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainyard.server.executor.ExecutionHandle;
import dev.trainyard.server.executor.Executor;
import dev.trainyard.server.executor.ExecutorContractTest;
import dev.trainyard.server.executor.Observation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The executor contract on this host with jobs running as the server's own user, as the server
 * runs them when it is not root (or isolation is turned off).
 */
final class LocalExecutorUnisolatedContractTest extends ExecutorContractTest {
    @Override
    protected Executor createExecutor(Path workRoot) {
        return new LocalExecutor(workRoot.resolve("jobs"), HostInventory.detect(4, 4096, "none"), false, 1_500_000);
    }

    @Test
    void jobRunsAsTheServersUser() throws IOException {
        ExecutionHandle handle = launch("id -u");

        assertThat(awaitEnd(handle)).isEqualTo(new Observation.Exited("run", 0));
        assertThat(handle.uid()).isNull();
        assertThat(stdout(handle).lines()).contains(String.valueOf(currentUid()));
    }

    private static int currentUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }
}
