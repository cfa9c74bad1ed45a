package dev.trainyard.server.executor.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.abort;

import dev.trainyard.server.executor.ExecutionHandle;
import dev.trainyard.server.executor.Executor;
import dev.trainyard.server.executor.ExecutorContractTest;
import dev.trainyard.server.executor.Observation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The executor contract on this host with each job as its own user id, as the server runs it when
 * started as root, with jobs started by the resident perl launcher; skipped where this process may
 * not do that.
 */
class LocalExecutorContractTest extends ExecutorContractTest {
    private static final int UID_BASE = 1_500_000;

    @Override
    protected Executor createExecutor(Path workRoot) {
        assumeThat(LocalExecutor.canIsolate())
                .as("running as root with setpriv")
                .isTrue();
        try {
            // Jobs' own users must pass through the folders above theirs, as through the data folder.
            Files.setPosixFilePermissions(workRoot, PosixFilePermissions.fromString("rwx--x--x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new LocalExecutor(
                workRoot.resolve("jobs"), HostInventory.detect(4, 4096, "none"), true, UID_BASE, launcher());
    }

    /** How this suite's executor starts job wrappers. */
    LocalExecutor.Launcher launcher() {
        return LocalExecutor.Launcher.PERL;
    }

    @Test
    void jobRunsAsItsOwnUnprivilegedUser() throws IOException {
        ExecutionHandle handle = launch("id -u; id -G");

        assertThat(awaitEnd(handle)).isEqualTo(new Observation.Exited("run", 0));
        assertThat(handle.uid()).isNotNull().isBetween(UID_BASE, UID_BASE + 1_000_000);
        assertThat(stdout(handle).lines())
                .containsSubsequence(handle.uid().toString(), handle.uid().toString());
    }

    @Test
    void cleanUpLocksTheWorkFolderToRoot() throws IOException {
        ExecutionHandle handle = launch("echo private > secret.txt");
        assertThat(awaitEnd(handle)).isEqualTo(new Observation.Exited("run", 0));
        Path work = Path.of(handle.directory(), "work");
        assertThat(Files.getAttribute(work, "unix:uid", LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(handle.uid());

        executor().cleanUp(handle);

        assertThat(Files.getAttribute(work, "unix:uid", LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(0);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(work, LinkOption.NOFOLLOW_LINKS)))
                .isEqualTo("rwx------");
    }

    @Test
    void foundJobWhoseWrapperDiedIsNotRunningWhenItsPidBelongsToAnotherProcess() throws Exception {
        String sleep = "sleep " + newMarker();
        ExecutionHandle handle = launch(sleep);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> executor().find(jobIdOf(handle)).isPresent() && processesWith(sleep) == 1);
        // The host lost the job (a reboot, the OOM killer): its wrapper died without a status.
        ProcessHandle.of(handle.pid()).ifPresent(ProcessHandle::destroyForcibly);
        executor().kill(handle);
        // The pid is free once no process, not even a zombie, is left in the wrapper's session.
        await().atMost(Duration.ofSeconds(30)).until(() -> processesWith(sleep) == 0 && sessionIsGone(handle.pid()));
        Process impostor = startWithPid(handle.pid());
        try {
            Executor restarted = createExecutor(workRoot());

            ExecutionHandle found = restarted.find(jobIdOf(handle)).orElseThrow();

            assertThat(found.pid()).isEqualTo(impostor.pid());
            assertThat(restarted.observe(found)).isEqualTo(new Observation.Vanished());
        } finally {
            impostor.destroyForcibly();
        }
    }

    @Test
    void jobCannotReadAnotherJobsWorkFolder() throws IOException {
        ExecutionHandle victim = launch("echo private > secret.txt; sleep 600");
        ExecutionHandle snoop = launch("cat " + victim.directory() + "/work/secret.txt && echo READ || echo DENIED");

        assertThat(awaitEnd(snoop)).isEqualTo(new Observation.Exited("run", 0));
        assertThat(stdout(snoop).lines()).contains("DENIED").doesNotContain("READ", "private");
    }

    /** Whether no process is {@code pid} or in its session, as the process or its zombie. */
    private static boolean sessionIsGone(long pid) throws IOException {
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            return entries.filter(
                            entry -> entry.getFileName().toString().chars().allMatch(Character::isDigit))
                    .map(entry -> {
                        try {
                            String stat = Files.readString(entry.resolve("stat"));
                            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        } catch (IOException e) {
                            return new String[0];
                        }
                    })
                    .noneMatch(fields -> fields.length > 3
                            && (fields[2].equals(Long.toString(pid)) || fields[3].equals(Long.toString(pid))));
        }
    }

    /** Starts a process that gets {@code pid}, as the kernel would give it once it is free again. */
    private static Process startWithPid(long pid) throws IOException {
        Path lastPid = Path.of("/proc/sys/kernel/ns_last_pid");
        List<Long> got = new ArrayList<>();
        // Other processes on the host may take the pid first: try a few times.
        for (int attempt = 0; attempt < 50; attempt++) {
            Files.writeString(lastPid, Long.toString(pid - 1));
            Process process = new ProcessBuilder("sleep", "600").start();
            if (process.pid() == pid) {
                return process;
            }
            got.add(process.pid());
            process.destroyForcibly();
        }
        return abort("could not get pid " + pid + " for a stand-in process; got " + got);
    }
}
