package dev.trainyard.server.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every executor promises, whatever runs the jobs (this host, Slurm, Kubernetes). The tests
 * work through {@link Executor} only: they launch real jobs made of shell commands and watch them
 * through {@code observe}, {@code onExit}, {@code usage}, the log folder and {@code find}.
 *
 * <p>Two checks need to see processes and lose them, which the interface deliberately does not
 * offer: {@link #processesWith} and {@link #loseTrackOf}. Their defaults suit executors whose jobs
 * run on this host; an executor whose jobs run elsewhere overrides them.
 */
public abstract class ExecutorContractTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    /** Variables an executor may set in a job for its own reasons, so they may equal the server's. */
    private static final Set<String> SET_BY_EXECUTORS = Set.of(
            "PATH",
            "HOME",
            "LANG",
            "LANGUAGE",
            "LC_ALL",
            "PWD",
            "OLDPWD",
            "SHLVL",
            "_",
            "USER",
            "LOGNAME",
            "SHELL",
            "TERM",
            "TZ",
            "TMPDIR",
            "HOSTNAME",
            "CUDA_VISIBLE_DEVICES");

    @TempDir
    Path workRoot;

    private Executor executor;
    private final Map<ExecutionHandle, String> launched = new LinkedHashMap<>();

    /**
     * An executor keeping whatever it stores for its jobs under {@code workRoot} (empty, private to
     * the test). Called once per test, and again by tests that act out a server restart.
     */
    protected abstract Executor createExecutor(Path workRoot);

    /**
     * How many live processes of any job have {@code marker} in their command line. The default
     * reads this host's /proc (zombies, whose command line is empty, do not count).
     */
    protected long processesWith(String marker) {
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            return entries.filter(
                            entry -> entry.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(entry -> commandLine(entry).contains(marker))
                    .count();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc", e);
        }
    }

    /**
     * Makes the executor lose the process it watches for {@code handle}, the way a crash or the OOM
     * killer would, so that no exit status is recorded; the job's own commands may live on. The
     * default kills the handle's process on this host with SIGKILL.
     */
    protected void loseTrackOf(ExecutionHandle handle) {
        ProcessHandle.of(handle.pid()).ifPresent(ProcessHandle::destroyForcibly);
    }

    /** The folder given to {@link #createExecutor}, for tests that create a second executor. */
    protected final Path workRoot() {
        return workRoot;
    }

    /** The executor under test. */
    protected final Executor executor() {
        return executor;
    }

    @BeforeEach
    final void createExecutorUnderTest() {
        executor = createExecutor(workRoot);
    }

    @AfterEach
    final void killWhatTheTestLaunched() throws Exception {
        // Until nothing of the job runs any more, so that nothing writes in the folder being deleted.
        for (ExecutionHandle handle : launched.keySet()) {
            patiently().until(() -> {
                executor.kill(handle);
                return !(executor.observe(handle) instanceof Observation.Running);
            });
            executor.cleanUp(handle);
        }
        if (executor instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    // ---- running to the end ------------------------------------------------------------------

    @Test
    void jobThatSucceedsExitsWithZeroAndWritesItsOutputToTheLogFolder() throws IOException {
        ExecutionHandle handle = launch("echo hi; echo err >&2");

        assertThat(awaitEnd(handle)).isEqualTo(new Observation.Exited("run", 0));
        assertThat(stdout(handle).lines()).contains("hi").doesNotContain("err");
        assertThat(stderr(handle).lines()).contains("err").doesNotContain("hi");
    }

    @Test
    void exitCodeOfTheRunCommandIsReported() {
        ExecutionHandle handle = launch("exit 7");

        assertThat(awaitEnd(handle)).isEqualTo(new Observation.Exited("run", 7));
    }

    @Test
    void failingSetupEndsTheJobInTheSetupPhaseWithoutRunningTheRunCommand() throws IOException {
        ExecutionHandle handle = launch(new Launch(
                newJobId(), null, "echo setting-up; exit 4", "echo the-run-command-ran", Map.of(), List.of(), 1, 256));

        assertThat(awaitEnd(handle)).isEqualTo(new Observation.Exited("setup", 4));
        assertThat(stdout(handle)).contains("setting-up").doesNotContain("the-run-command-ran");
    }

    @Test
    void setupRunsFirstInTheFolderWhereTheRunCommandRuns() throws IOException {
        ExecutionHandle handle = launch(new Launch(
                newJobId(), null, "echo prepared > state.txt", "cat state.txt", Map.of(), List.of(), 1, 256));

        assertThat(awaitEnd(handle)).isEqualTo(new Observation.Exited("run", 0));
        assertThat(stdout(handle).lines()).contains("prepared");
    }

    @Test
    void observeSeesALongJobRunningAsSoonAsLaunchReturns() {
        ExecutionHandle handle = launch("sleep " + newMarker());

        assertThat(executor.observe(handle)).isEqualTo(new Observation.Running());
    }

    @Test
    void onExitCompletesWhenTheJobEnds() {
        ExecutionHandle handle = launch("sleep 3");
        CompletableFuture<Void> exit = executor.onExit(handle);

        assertThat(exit).isNotDone();
        await().atMost(PATIENCE).until(exit::isDone);
        assertThat(awaitEnd(handle)).isEqualTo(new Observation.Exited("run", 0));
    }

    // ---- environment -------------------------------------------------------------------------

    @Test
    void launchEnvironmentAndGpusAreVisibleToTheJob() throws IOException {
        ExecutionHandle handle = launch(new Launch(
                newJobId(),
                null,
                null,
                "echo \"greeting=$TRAINYARD_TEST_GREETING\"; echo \"gpus=$CUDA_VISIBLE_DEVICES\"",
                Map.of("TRAINYARD_TEST_GREETING", "hello, world"),
                List.of(0, 1),
                1,
                256));

        assertThat(awaitEnd(handle)).isEqualTo(new Observation.Exited("run", 0));
        assertThat(stdout(handle).lines()).contains("greeting=hello, world", "gpus=0,1");
    }

    @Test
    void jobWithoutGpusSeesNone() throws IOException {
        ExecutionHandle handle = launch("echo \"gpus=[${CUDA_VISIBLE_DEVICES:-}]\"");

        assertThat(awaitEnd(handle)).isEqualTo(new Observation.Exited("run", 0));
        assertThat(stdout(handle).lines()).contains("gpus=[]");
    }

    @Test
    void serverEnvironmentDoesNotLeakIntoTheJob() throws IOException {
        // Whatever this JVM was started with (JAVA_HOME, MAVEN_OPTS, CI variables...) is the
        // server's business, not the job's: secrets travel in variables too.
        Map<String, String> serverOnly = System.getenv().entrySet().stream()
                .filter(variable -> !SET_BY_EXECUTORS.contains(variable.getKey()))
                .filter(variable ->
                        !variable.getValue().isBlank() && !variable.getValue().contains("\n"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assumeThat(serverOnly).as("server-only environment variables").isNotEmpty();
        ExecutionHandle handle = launch("env");

        assertThat(awaitEnd(handle)).isEqualTo(new Observation.Exited("run", 0));
        Map<String, String> seen = new HashMap<>();
        stdout(handle)
                .lines()
                .filter(line -> line.indexOf('=') > 0)
                .forEach(line -> seen.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1)));
        assertThat(seen).as("the job's environment").containsKey("PATH");
        serverOnly.forEach((name, value) ->
                assertThat(seen.get(name)).as("%s in the job", name).isNotEqualTo(value));
    }

    // ---- stopping ----------------------------------------------------------------------------

    @Test
    void terminateLetsAJobThatTrapsSigtermRunItsHandler() throws IOException {
        ExecutionHandle handle =
                launch("trap 'echo caught-term; exit 3' TERM; echo ready; while :; do sleep 0.1; done");
        awaitStdout(handle, "ready");

        executor.terminate(handle);

        assertThat(awaitEnd(handle)).isEqualTo(new Observation.Exited("run", 3));
        assertThat(stdout(handle).lines()).contains("caught-term");
    }

    @Test
    void terminateDuringSetupKeepsTheRunCommandFromStarting() throws IOException {
        ExecutionHandle handle = launch(new Launch(
                newJobId(),
                null,
                "trap 'echo setup-stopped; exit 0' TERM; echo ready; while :; do sleep 0.1; done",
                "echo the-run-command-ran",
                Map.of(),
                List.of(),
                1,
                256));
        awaitStdout(handle, "ready");

        executor.terminate(handle);

        // The setup handled SIGTERM and succeeded, but a stopped job goes no further.
        Observation end = awaitEnd(handle);
        assertThat(end).isNotEqualTo(new Observation.Exited("run", 0));
        assertThat(stdout(handle)).contains("setup-stopped").doesNotContain("the-run-command-ran");
    }

    @Test
    void killEndsAJobThatIgnoresSigtermWithEveryProcessItStarted() throws IOException {
        String marker = newMarker();
        String sleep = "sleep " + marker;
        ExecutionHandle handle = launch(String.join(
                "\n",
                "trap '' TERM",
                sleep + " &", // a child
                "(" + sleep + " &)", // a grandchild whose parent is gone
                "bash -c '" + sleep + " & wait' &", // a grandchild whose parent waits for it
                "setsid " + sleep + " &", // a child in a session of its own
                "echo ready",
                "wait"));
        awaitStdout(handle, "ready");
        // Four sleeps, and the shell started with "bash -c" that holds the marker in its arguments.
        await().atMost(PATIENCE).until(() -> processesWith(sleep) == 5);

        executor.terminate(handle);
        // A moment for SIGTERM to be delivered and ignored: there is no event to wait for.
        sleepQuietly(Duration.ofSeconds(1));
        assertThat(executor.observe(handle)).isEqualTo(new Observation.Running());
        assertThat(processesWith(sleep)).isEqualTo(5);

        executor.kill(handle);

        // Either status is honest: an executor that records statuses from outside the job's
        // processes (the local one as root) sees the shell die of SIGKILL (128 + 9); one whose
        // recorder is itself a process of the job (the local one without root: the wrapper is in
        // the job's process group) loses it along with the job and can only say it vanished.
        assertThat(awaitEnd(handle)).isIn(new Observation.Exited("run", 137), new Observation.Vanished());
        await().atMost(PATIENCE).until(() -> processesWith(sleep) == 0);
        assertThat(executor.usage(handle).processes()).isZero();
    }

    @Test
    void killRightAfterLaunchEndsTheJob() throws IOException {
        String sleep = "sleep " + newMarker();
        ExecutionHandle handle = launch(new Launch(
                newJobId(),
                null,
                "echo setting-up",
                sleep + "; echo should-not-be-reached",
                Map.of(),
                List.of(),
                1,
                256));

        executor.kill(handle);

        assertThat(awaitEnd(handle))
                .isIn(
                        new Observation.Exited("setup", 137),
                        new Observation.Exited("run", 137),
                        new Observation.Vanished());
        await().atMost(PATIENCE).until(() -> processesWith(sleep) == 0);
        assertThat(stdout(handle)).doesNotContain("should-not-be-reached");
    }

    @Test
    void terminateAndKillOfAnEndedJobDoNoHarm() {
        ExecutionHandle handle = launch("exit 5");
        assertThat(awaitEnd(handle)).isEqualTo(new Observation.Exited("run", 5));

        executor.terminate(handle);
        executor.kill(handle);

        assertThat(executor.observe(handle)).isEqualTo(new Observation.Exited("run", 5));
    }

    // ---- usage and clean-up ------------------------------------------------------------------

    @Test
    void usageCountsTheMemoryHeldByTheJobsProcesses() {
        ExecutionHandle handle = launch("python3 -c 'import time\n"
                + "held = b\"x\" * 100_000_000\n"
                + "print(\"holding\", flush=True)\n"
                + "time.sleep(600)'");
        awaitStdout(handle, "holding");

        Usage usage = executor.usage(handle);

        assertThat(usage.residentBytes()).isGreaterThanOrEqualTo(100_000_000L);
        assertThat(usage.processes()).isPositive();
    }

    @Test
    void usageCountsTheBytesOfFilesWrittenInTheWorkFolder() {
        ExecutionHandle handle = launch("head -c 5000000 /dev/zero > big.bin; mkdir -p deep/er; head -c 1000000"
                + " /dev/zero > deep/er/small.bin");
        assertThat(awaitEnd(handle)).isEqualTo(new Observation.Exited("run", 0));

        Usage usage = executor.usage(handle);

        assertThat(usage.diskBytes()).isGreaterThanOrEqualTo(6_000_000L);
        assertThat(usage.processes()).isZero();
    }

    @Test
    void cleanUpKillsBackgroundProcessesLeftBehindByACompletedJob() {
        String sleep = "sleep " + newMarker();
        // Each background process leaves a file once it runs, so the test cannot pass vacuously.
        ExecutionHandle handle = launch(
                "(touch one; " + sleep + ") & ( (touch two; " + sleep + ") &); (setsid bash -c 'touch three; " + sleep
                        + "' &); while [ ! -e one ] || [ ! -e two ] || [ ! -e three ]; do sleep 0.05; done; echo left-behind");
        assertThat(awaitEnd(handle)).isEqualTo(new Observation.Exited("run", 0));
        Path work = executor.logDir(handle).resolve("work");
        assertThat(List.of("one", "two", "three"))
                .allSatisfy(name -> assertThat(work.resolve(name)).exists());

        // An executor may kill what a job left behind as soon as it ends, or only in cleanUp:
        // after cleanUp, nothing is left either way.
        executor.cleanUp(handle);

        await().atMost(PATIENCE).until(() -> processesWith(sleep) == 0);
        assertThat(executor.observe(handle)).isEqualTo(new Observation.Exited("run", 0));
    }

    // ---- finding jobs again ------------------------------------------------------------------

    @Test
    void findReturnsTheHandleOfALaunchedJobOnceItsWrapperStarted() {
        ExecutionHandle handle = launch("sleep " + newMarker());

        ExecutionHandle found = await().atMost(PATIENCE)
                .until(() -> executor.find(jobIdOf(handle)), Optional::isPresent)
                .orElseThrow();

        // The very handle launch returned: same process (pid and start time), user and folder.
        assertThat(found).isEqualTo(handle);
        assertThat(executor.observe(found)).isEqualTo(new Observation.Running());
    }

    @Test
    void findReturnsNothingForAJobThatWasNeverLaunched() {
        assertThat(executor.find(newJobId())).isEmpty();
    }

    @Test
    void findStillReturnsAJobThatEnded() {
        ExecutionHandle handle = launch("exit 6");
        assertThat(awaitEnd(handle)).isEqualTo(new Observation.Exited("run", 6));

        Optional<ExecutionHandle> found = executor.find(jobIdOf(handle));

        assertThat(found).isPresent();
        assertThat(executor.observe(found.orElseThrow())).isEqualTo(new Observation.Exited("run", 6));
    }

    @Test
    void restartedExecutorFindsARunningJobAndControlsIt() throws IOException {
        ExecutionHandle handle =
                launch("trap 'echo caught-term; exit 3' TERM; echo ready; while :; do sleep 0.1; done");
        awaitStdout(handle, "ready");

        Executor restarted = createExecutor(workRoot());
        ExecutionHandle found = restarted.find(jobIdOf(handle)).orElseThrow();
        CompletableFuture<Void> exit = restarted.onExit(found);

        assertThat(restarted.observe(found)).isEqualTo(new Observation.Running());
        assertThat(exit).isNotDone();
        restarted.terminate(found);
        await().atMost(PATIENCE).until(exit::isDone);
        assertThat(await().atMost(PATIENCE)
                        .until(() -> restarted.observe(found), Predicate.not(Observation.Running.class::isInstance)))
                .isEqualTo(new Observation.Exited("run", 3));
        assertThat(stdout(handle).lines()).contains("caught-term");
    }

    // ---- lost and recycled processes ---------------------------------------------------------

    @Test
    void jobWhoseProcessVanishedWithoutAStatusIsVanishedAndKillStillEndsIt() {
        String sleep = "sleep " + newMarker();
        ExecutionHandle handle = launch(sleep + "; echo should-not-be-reached");
        await().atMost(PATIENCE).until(() -> executor.find(jobIdOf(handle)).isPresent() && processesWith(sleep) == 1);

        loseTrackOf(handle);

        assertThat(awaitEnd(handle)).isEqualTo(new Observation.Vanished());
        executor.kill(handle);
        await().atMost(PATIENCE).until(() -> processesWith(sleep) == 0);
        assertThat(executor.observe(handle)).isEqualTo(new Observation.Vanished());
    }

    @Test
    void handleWhosePidWasRecycledIsNotRunning() {
        ExecutionHandle handle = launch("sleep " + newMarker());
        ExecutionHandle recycled = new ExecutionHandle(
                handle.executor(),
                handle.node(),
                handle.pid(),
                handle.startTicks() + 1,
                handle.uid(),
                handle.directory());

        assertThat(executor.observe(handle)).isEqualTo(new Observation.Running());
        assertThat(executor.observe(recycled)).isNotEqualTo(new Observation.Running());
    }

    // ---- describing itself -------------------------------------------------------------------

    @Test
    void nameAndInventoryDescribeTheExecutor() {
        assertThat(executor.name()).isNotBlank();
        assertThat(executor.inventory().node()).isNotBlank();
        assertThat(executor.inventory().cpuCores()).isPositive();
        assertThat(executor.inventory().memoryMb()).isPositive();
    }

    // ---- helpers -----------------------------------------------------------------------------

    /** Launches a job with this run command and no setup, environment or GPUs. */
    protected final ExecutionHandle launch(String runCommand) {
        return launch(new Launch(newJobId(), null, null, runCommand, Map.of(), List.of(), 1, 256));
    }

    /** Launches a job that the test will kill and clean up after itself. */
    protected final ExecutionHandle launch(Launch launch) {
        try {
            ExecutionHandle handle = executor.launch(launch);
            launched.put(handle, launch.jobId());
            return handle;
        } catch (ExecutorException e) {
            throw new AssertionError("launch failed: " + e.getMessage(), e);
        }
    }

    /** Waits until the job is no longer running and says how it ended. */
    protected final Observation awaitEnd(ExecutionHandle handle) {
        return patiently().until(() -> executor.observe(handle), Predicate.not(Observation.Running.class::isInstance));
    }

    protected final void awaitStdout(ExecutionHandle handle, String line) {
        patiently().until(() -> stdout(handle).lines().anyMatch(line::equals));
    }

    protected final String stdout(ExecutionHandle handle) throws IOException {
        return Files.readString(executor.logDir(handle).resolve("stdout.log"), StandardCharsets.UTF_8);
    }

    protected final String stderr(ExecutionHandle handle) throws IOException {
        return Files.readString(executor.logDir(handle).resolve("stderr.log"), StandardCharsets.UTF_8);
    }

    /** The job id the handle was launched for. */
    protected final String jobIdOf(ExecutionHandle handle) {
        return launched.get(handle);
    }

    protected static String newJobId() {
        return "j-" + UUID.randomUUID().toString().substring(0, 13);
    }

    /**
     * A number of seconds no other process on the host is likely to sleep: "sleep MARKER" finds a
     * test's processes and only them.
     */
    protected static String newMarker() {
        return "9" + ThreadLocalRandom.current().nextInt(100_000, 1_000_000) + ".25";
    }

    private static ConditionFactory patiently() {
        return await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50));
    }

    private static String commandLine(Path process) {
        try {
            return new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    private static void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
