package dev.trainyard.server.executor.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.trainyard.server.executor.ExecutionHandle;
import dev.trainyard.server.executor.Launch;
import dev.trainyard.server.executor.Observation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What is particular to starting jobs through the resident perl launcher. */
final class PerlLauncherTest {
    @TempDir
    Path workRoot;

    private LocalExecutor executor;

    @BeforeEach
    void createExecutor() {
        assumeThat(PerlLauncher.find()).as("perl on this host").isPresent();
        executor = new LocalExecutor(
                workRoot.resolve("jobs"),
                HostInventory.detect(4, 4096, "none"),
                false,
                1_500_000,
                LocalExecutor.Launcher.PERL);
    }

    @AfterEach
    void close() {
        if (executor != null) {
            executor.close();
        }
    }

    @Test
    void theEnvironmentFileHoldingTheJobsSecretsIsGoneOnceTheJobRuns() throws Exception {
        ExecutionHandle handle = launch("echo \"$SECRET\"");

        assertThat(ended(handle)).isEqualTo(new Observation.Exited("run", 0));
        assertThat(Files.readString(Path.of(handle.directory(), "stdout.log"), StandardCharsets.UTF_8))
                .contains("s3cr3t");
        assertThat(Path.of(handle.directory(), "environment")).doesNotExist();
    }

    @Test
    void jobsOutliveAKilledLauncherAndTheNextJobStartsANewOne() throws Exception {
        ExecutionHandle first = launch("sleep 1; exit 5");
        ProcessHandle wrapper = ProcessHandle.of(first.pid()).orElseThrow();
        ProcessHandle launcher = wrapper.parent().orElseThrow();
        assertThat(launcher.info().commandLine().orElse("")).contains("launcher.pl");

        launcher.destroyForcibly();
        await().atMost(Duration.ofSeconds(10)).until(() -> !launcher.isAlive());

        // The wrapper still records how the job ended, and the end is still reported.
        executor.onExit(first).get();
        assertThat(ended(first)).isEqualTo(new Observation.Exited("run", 5));
        ExecutionHandle second = launch("exit 0");
        assertThat(ended(second)).isEqualTo(new Observation.Exited("run", 0));
        assertThat(ProcessHandle.of(second.pid()).flatMap(ProcessHandle::parent).map(ProcessHandle::pid))
                .isNotEqualTo(Optional.of(launcher.pid()));
    }

    @Test
    void closingTheExecutorLetsRunningJobsFinishAndRecordTheirStatus() throws Exception {
        ExecutionHandle handle = launch("sleep 1; exit 3");
        ProcessHandle launcher =
                ProcessHandle.of(handle.pid()).flatMap(ProcessHandle::parent).orElseThrow();

        executor.close();

        assertThat(ended(handle)).isEqualTo(new Observation.Exited("run", 3));
        await().atMost(Duration.ofSeconds(10)).until(() -> !launcher.isAlive());
    }

    private ExecutionHandle launch(String command) throws Exception {
        return executor.launch(new Launch(
                "j-" + UUID.randomUUID().toString().substring(0, 13),
                null,
                null,
                command,
                Map.of("SECRET", "s3cr3t"),
                List.of(),
                1,
                256));
    }

    private Observation ended(ExecutionHandle handle) {
        return await().atMost(Duration.ofSeconds(30))
                .until(() -> executor.observe(handle), observation -> !(observation instanceof Observation.Running));
    }
}
