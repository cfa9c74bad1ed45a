package dev.trainyard.server.executor.local;

import dev.trainyard.server.executor.ExecutionHandle;
import dev.trainyard.server.executor.Executor;
import dev.trainyard.server.executor.ExecutorException;
import dev.trainyard.server.executor.GpuUse;
import dev.trainyard.server.executor.Inventory;
import dev.trainyard.server.executor.Launch;
import dev.trainyard.server.executor.Observation;
import dev.trainyard.server.executor.Usage;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jobs as processes on this host. Each job gets {@code JOBS/<id>/} with a root-owned wrapper
 * that runs {@code setup_command} then {@code run_command} in bash in a new session, with stdout and
 * stderr going straight to files, and records how they ended in {@code exit_status}.
 *
 * <p>When the server runs as root, each job's commands run as their own unprivileged user id (from
 * a range nobody else uses), so a job cannot read the server's data folder or another job's folder,
 * and "every process of the job" is exactly "every process of that user id" — children that leave
 * the process group or daemonize are still found and killed. Without root, jobs run as the server's
 * user in their own process group, and that isolation is not enforced (a warning says so); the
 * job's processes are then its wrapper's process group plus every process whose environment still
 * holds the job's {@value #JOB_TAG}, which catches children that started sessions of their own.
 */
public final class LocalExecutor implements Executor, AutoCloseable {
    public static final String NAME = "local";

    /** Marks every process of a job, through inheritance, with the job's folder. */
    static final String JOB_TAG = "TRAINYARD_JOB_DIR";

    private static final Logger LOG = LoggerFactory.getLogger(LocalExecutor.class);
    private static final int UID_RANGE = 1_000_000;
    /** In a job's folder: the status its next phase ends with, without running, once a stop was asked. */
    private static final String STOP_REQUEST = "stop_requested";
    /** In a job's folder until its wrapper has read it: the environment, for the perl launcher. */
    private static final String ENVIRONMENT = "environment";
    /** In a job's working folder: its datasets. */
    private static final String INPUTS = "datasets";

    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final Path jobsRoot;
    private final Inventory inventory;
    private final boolean isolate;
    private final int uidBase;
    /** Null when jobs start through the shell wrapper (no perl on this host, or asked for). */
    private final PerlLauncher launcher;

    private final Map<String, Process> children = new ConcurrentHashMap<>();
    private final Set<Integer> reservedUids = ConcurrentHashMap.newKeySet();
    private final Map<String, Measured> diskSizes = new ConcurrentHashMap<>();
    private volatile Set<Integer> startupUids;
    private volatile Measured processSnapshotAt = new Measured(Instant.EPOCH, 0);
    private volatile List<ProcessTable.Proc> processSnapshot = List.of();

    /** A figure and when it was taken. */
    private record Measured(Instant at, long value) {}

    private static final Duration SNAPSHOT_REUSE = Duration.ofMillis(200);
    private static final Duration DISK_REUSE = Duration.ofSeconds(5);

    /** How a job's wrapper is started. */
    public enum Launcher {
        /** Through the resident perl launcher when this host has perl, else the shell wrapper. */
        AUTO,
        /** Through the resident perl launcher; fails to construct without perl. */
        PERL,
        /** A shell wrapper per job, started with setsid from this process. */
        SHELL
    }

    public LocalExecutor(Path jobsRoot, Inventory inventory, boolean isolate, int uidBase) {
        this(jobsRoot, inventory, isolate, uidBase, Launcher.AUTO);
    }

    public LocalExecutor(Path jobsRoot, Inventory inventory, boolean isolate, int uidBase, Launcher launcher) {
        this.jobsRoot = jobsRoot;
        this.inventory = inventory;
        this.isolate = isolate;
        this.uidBase = uidBase;
        try {
            Files.createDirectories(jobsRoot);
            Files.setPosixFilePermissions(jobsRoot, PosixFilePermissions.fromString("rwx--x--x"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the jobs folder " + jobsRoot, e);
        }
        Optional<Path> perl = launcher == Launcher.SHELL ? Optional.empty() : PerlLauncher.find();
        if (perl.isEmpty() && launcher == Launcher.PERL) {
            throw new IllegalStateException("the perl job launcher was asked for, but this host has no perl");
        }
        if (perl.isEmpty() && launcher == Launcher.AUTO) {
            LOG.info("no perl on this host: each job starts through its own shell wrapper (fewer job starts a second)");
        }
        this.launcher = perl.map(path -> new PerlLauncher(path, jobsRoot)).orElse(null);
        if (isolate) {
            untraversableAncestor(jobsRoot)
                    .ifPresent(folder -> LOG.error(
                            "jobs run as their own user ids but cannot reach {}: {} is not searchable by others (o+x);"
                                    + " every job would fail to start (exit 126). Give it o+x or choose another data folder.",
                            jobsRoot,
                            folder));
        } else {
            LOG.warn("jobs run as the server's own user: they can read the data folder and each other's folders"
                    + " (run the server as root to give each job its own user id)");
        }
    }

    /** The first folder above {@code folder} that other users may not pass through, if any. */
    public static Optional<Path> untraversableAncestor(Path folder) {
        for (Path current = folder.toAbsolutePath().getParent(); current != null; current = current.getParent()) {
            try {
                if (!Files.getPosixFilePermissions(current)
                        .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                    return Optional.of(current);
                }
            } catch (IOException | UnsupportedOperationException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Whether this process may give jobs their own user ids. */
    public static boolean canIsolate() {
        return "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/setpriv"));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Inventory inventory() {
        return inventory;
    }

    @Override
    public ExecutionHandle launch(Launch launch) throws ExecutorException {
        Path dir = jobsRoot.resolve(launch.jobId());
        Integer uid = isolate ? reserveUid(launch.jobId()) : null;
        try {
            prepareFolder(dir, launch, uid);
            Map<String, String> environment = environment(dir, launch);
            if (launcher != null) {
                writeEnvironment(dir.resolve(ENVIRONMENT), environment);
                long pid = launcher.start(dir, uid);
                long startTicks = ProcessTable.read(pid)
                        .map(ProcessTable.Proc::startTicks)
                        .orElseGet(() -> find(launch.jobId())
                                .map(ExecutionHandle::startTicks)
                                .orElse(-1L));
                return new ExecutionHandle(NAME, inventory.node(), pid, startTicks, uid, dir.toString());
            }
            ProcessBuilder builder = new ProcessBuilder(
                            "setsid", "/bin/bash", dir.resolve("wrapper.sh").toString(), dir.toString())
                    .directory(dir.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            dir.resolve("stdout.log").toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(
                            dir.resolve("stderr.log").toFile()))
                    .redirectInput(
                            ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            builder.environment().clear();
            builder.environment().putAll(environment);
            Process process = builder.start();
            children.put(launch.jobId(), process);
            long startTicks = ProcessTable.read(process.pid())
                    .map(ProcessTable.Proc::startTicks)
                    .orElse(-1L);
            return new ExecutionHandle(NAME, inventory.node(), process.pid(), startTicks, uid, dir.toString());
        } catch (IOException | RuntimeException e) {
            if (uid != null) {
                reservedUids.remove(uid);
            }
            throw new ExecutorException("the job could not be started: " + e.getMessage(), e);
        }
    }

    /**
     * Puts the job's input files in {@code work/datasets/}: a folder owned by root inside the job's
     * own (0700) working folder, so only the job can reach them and it cannot swap them. A hard
     * link when the store is on the same file system (no copy; the stored file is read-only),
     * else a copy, read-only.
     */
    private static void placeInputs(Path work, Launch launch) throws IOException {
        if (launch.inputs().isEmpty()) {
            return;
        }
        Path folder = work.resolve(INPUTS);
        makeFolder(folder);
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (Launch.Input input : launch.inputs()) {
            Path target = folder.resolve(input.fileName());
            Files.deleteIfExists(target);
            try {
                Files.createLink(target, input.source());
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(input.source(), target);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("r--r--r--"));
            }
        }
    }

    /** What the job's processes see: its own variables and ours, nothing of the server's. */
    private static Map<String, String> environment(Path dir, Launch launch) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PATH", DEFAULT_PATH);
        environment.put("LANG", "C.UTF-8");
        environment.put("HOME", dir.resolve("work").toString());
        environment.put(
                "CUDA_VISIBLE_DEVICES",
                launch.gpus().stream().map(String::valueOf).collect(Collectors.joining(",")));
        environment.putAll(launch.environment());
        if (!launch.inputs().isEmpty()) {
            Path inputs = dir.resolve("work").resolve(INPUTS);
            environment.put("TRAINYARD_DATASETS_DIR", inputs.toString());
            for (Launch.Input input : launch.inputs()) {
                environment.put(
                        input.environmentName(),
                        inputs.resolve(input.fileName()).toString());
            }
        }
        environment.put(JOB_TAG, dir.toString());
        return environment;
    }

    /**
     * The environment for the perl launcher's wrapper, NUL-separated, readable by root only (it may
     * hold secrets and the job's token); the wrapper deletes it once read.
     */
    private static void writeEnvironment(Path file, Map<String, String> environment) throws IOException {
        StringBuilder text = new StringBuilder();
        environment.forEach((name, value) -> {
            if (name.indexOf('\0') >= 0 || name.indexOf('=') >= 0 || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("environment variable " + name + " holds a NUL or '='");
            }
            text.append(name).append('=').append(value).append('\0');
        });
        writeFile(file, text.toString(), PRIVATE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    @Override
    public void terminate(ExecutionHandle handle) {
        signal(handle, "TERM");
    }

    @Override
    public void kill(ExecutionHandle handle) {
        signal(handle, "KILL");
    }

    @Override
    public Observation observe(ExecutionHandle handle) {
        Path status = Path.of(handle.directory(), "exit_status");
        Optional<Observation> recorded = recordedStatus(status);
        if (recorded.isPresent()) {
            return recorded.get();
        }
        if (handle.startTicks() >= 0 && ProcessTable.isAlive(handle.pid(), handle.startTicks())) {
            return new Observation.Running();
        }
        // The wrapper writes its status just before it exits: look once more, in case it just did.
        return recordedStatus(status).orElseGet(Observation.Vanished::new);
    }

    /** The status the wrapper recorded; empty when there is none, or it is caught half-written. */
    private static Optional<Observation> recordedStatus(Path status) {
        // Checked first: asked of every running job on every monitor pass, and a missing file would
        // cost an exception each time.
        if (!status.toFile().isFile()) {
            return Optional.empty();
        }
        try {
            String[] parts =
                    Files.readString(status, StandardCharsets.UTF_8).trim().split(" ");
            return parts.length == 2
                    ? Optional.of(new Observation.Exited(parts[0], Integer.parseInt(parts[1])))
                    : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public CompletableFuture<Void> onExit(ExecutionHandle handle) {
        if (launcher != null) {
            Optional<CompletableFuture<Void>> wrapper = launcher.onExit(handle.pid());
            if (wrapper.isPresent()) {
                return wrapper.get();
            }
        }
        Process child = children.get(jobIdOf(handle));
        if (child != null && child.pid() == handle.pid()) {
            return child.onExit().thenApply(process -> null);
        }
        return ProcessHandle.of(handle.pid())
                .map(process -> process.onExit().<Void>thenApply(ended -> null))
                .orElseGet(() -> CompletableFuture.completedFuture(null));
    }

    @Override
    public Path logDir(ExecutionHandle handle) {
        return Path.of(handle.directory());
    }

    @Override
    public Usage usage(ExecutionHandle handle) {
        List<ProcessTable.Proc> processes = processesOf(handle, recentSnapshot());
        long resident =
                processes.stream().mapToLong(ProcessTable.Proc::residentBytes).sum();
        long cpuTicks =
                processes.stream().mapToLong(ProcessTable.Proc::cpuTicks).sum();
        long read = 0;
        long written = 0;
        for (ProcessTable.Proc process : processes) {
            ProcessTable.Io io = ProcessTable.io(process.pid());
            read += Math.max(0, io.readBytes());
            written += Math.max(0, io.writeBytes());
        }
        return new Usage(
                resident, diskSize(handle), processes.size(), cpuTicks / ProcessTable.TICKS_PER_SECOND, read, written);
    }

    /** From nvidia-smi when this host's GPUs were detected or declared; empty without GPUs. */
    @Override
    public Map<Integer, GpuUse> gpuUse() {
        return inventory.gpus().isEmpty() ? Map.of() : GpuMonitor.read();
    }

    /** One /proc scan shared by every job watched in the same pass. */
    private List<ProcessTable.Proc> recentSnapshot() {
        Instant now = Instant.now();
        if (now.isAfter(processSnapshotAt.at().plus(SNAPSHOT_REUSE))) {
            processSnapshot = ProcessTable.snapshot();
            processSnapshotAt = new Measured(now, 0);
        }
        return processSnapshot;
    }

    /** Walking a big working folder is slow: its size is measured at most every few seconds. */
    private long diskSize(ExecutionHandle handle) {
        Instant now = Instant.now();
        Measured last = diskSizes.get(handle.directory());
        if (last != null && now.isBefore(last.at().plus(DISK_REUSE))) {
            return last.value();
        }
        long size = folderSize(Path.of(handle.directory(), "work"));
        diskSizes.put(handle.directory(), new Measured(now, size));
        return size;
    }

    @Override
    public void cleanUp(ExecutionHandle handle) {
        diskSizes.remove(handle.directory());
        // An isolated job's wrapper kills what the job left behind before it records its status;
        // only a job that ended some other way still needs the signal (and its process spawn).
        if (handle.uid() == null
                || recordedStatus(Path.of(handle.directory(), "exit_status")).isEmpty()) {
            signal(handle, "KILL");
        }
        children.remove(jobIdOf(handle));
        Path work = Path.of(handle.directory(), "work");
        if (handle.uid() != null) {
            try {
                // Nobody but root may enter an ended job's folder, whatever the files inside.
                Files.setOwner(work, Root.PRINCIPAL);
                Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx------"));
            } catch (IOException e) {
                LOG.warn("cannot lock the folder of ended job {}: {}", jobIdOf(handle), e.getMessage());
            }
            reservedUids.remove(handle.uid());
        }
    }

    @Override
    public Optional<ExecutionHandle> find(String jobId) {
        Path dir = jobsRoot.resolve(jobId);
        Path pidFile = dir.resolve("wrapper.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        try {
            String[] parts =
                    Files.readString(pidFile, StandardCharsets.UTF_8).trim().split(" ");
            long pid = Long.parseLong(parts[0]);
            Integer uid = parts.length > 1 && !parts[1].equals("-") ? Integer.valueOf(parts[1]) : null;
            long startTicks = parts.length > 2
                    ? Long.parseLong(parts[2])
                    : ProcessTable.read(pid).map(ProcessTable.Proc::startTicks).orElse(-1L);
            return Optional.of(new ExecutionHandle(NAME, inventory.node(), pid, startTicks, uid, dir.toString()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Writes the job's folder: scripts, logs with the banner, the work folder. Few system calls on
     * purpose (no exceptions for the expected cases either): every job start pays for each.
     */
    private void prepareFolder(Path dir, Launch launch, Integer uid) throws IOException {
        Path work = dir.resolve("work");
        makeFolder(dir);
        makeFolder(work);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        String setup = launch.setupCommand() == null ? "" : launch.setupCommand();
        if (!setup.isEmpty()) {
            writeFile(dir.resolve("setup.sh"), setup, READABLE, StandardOpenOption.TRUNCATE_EXISTING);
        }
        writeFile(dir.resolve("run.sh"), launch.runCommand(), READABLE, StandardOpenOption.TRUNCATE_EXISTING);
        if (launcher == null) {
            writeFile(dir.resolve("wrapper.sh"), wrapper(launch, uid), READABLE, StandardOpenOption.TRUNCATE_EXISTING);
        }
        // The logs are the server's to read (root only); the job writes them through its wrapper.
        writeFile(dir.resolve("stdout.log"), banner(launch), PRIVATE, StandardOpenOption.APPEND);
        writeFile(dir.resolve("stderr.log"), "", PRIVATE, StandardOpenOption.APPEND);
        placeInputs(work, launch);
        if (uid != null) {
            Files.setAttribute(work, "unix:uid", uid);
            Files.setAttribute(work, "unix:gid", uid);
            Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /**
     * The wrapper runs as root (or the server's user) and outlives the job's own processes to record
     * their exit status.
     */
    private static String wrapper(Launch launch, Integer uid) {
        String runAs =
                uid == null ? "" : "setpriv --reuid=" + uid + " --regid=" + uid + " --clear-groups --inh-caps=-all --";
        return String.join(
                "\n",
                "# Written by Trainyard for job " + launch.jobId() + "; do not edit.",
                // Few forks on purpose: every exec here is paid by every job (see bench/jobs.sh).
                "dir=\"$1\"",
                // A trapped (not ignored) signal: children get the default action back, so a job can
                // handle SIGTERM; the wrapper itself waits on, then records.
                "trap 'true' TERM INT HUP",
                // Its own start time (field 22 of /proc/PID/stat) too, so that find() never takes a
                // later process with the same pid for it (after a reboot, pids come round again).
                "read -r stat < /proc/$$/stat; set -- ${stat##*\") \"}",
                // One small write each: readers retry a file they catch half-written.
                "printf '%s %s %s\\n' \"$$\" " + (uid == null ? "-" : uid) + " \"${20}\" > \"$dir/wrapper.pid\"",
                // Before the status is recorded, whatever the job left running is killed (all of its
                // user id), so the server need not spawn a kill itself for a job that ended normally.
                "record() { "
                        + (uid == null
                                ? ""
                                : "setpriv --reuid=" + uid + " --regid=" + uid
                                        + " --clear-groups kill -KILL -1 2>/dev/null; ")
                        + "printf '%s %s\\n' \"$1\" \"$2\" > \"$dir/exit_status\"; }",
                "cd \"$dir/work\" || { record setup 126; exit 126; }",
                // Each phase starts as the job's user, then looks for a stop that came before it had
                // a process to signal: signal() writes the request first, so one of the two sees it.
                "phase='if [ -e \"$1/" + STOP_REQUEST + "\" ]; then read -r code < \"$1/" + STOP_REQUEST
                        + "\"; exit \"${code:-137}\"; fi; script=\"$1/$2\"; shift 2; . \"$script\"'",
                "if [ -s \"$dir/setup.sh\" ]; then",
                "  " + runAs + " /bin/bash -c \"$phase\" phase \"$dir\" setup.sh",
                "  rc=$?",
                "  if [ \"$rc\" -ne 0 ]; then record setup \"$rc\"; exit \"$rc\"; fi",
                "fi",
                runAs + " /bin/bash -c \"$phase\" phase \"$dir\" run.sh",
                "rc=$?",
                "record run \"$rc\"",
                "exit \"$rc\"",
                "");
    }

    /** The first line of the job's log: where it runs, and that its image is not used here. */
    private String banner(Launch launch) {
        return "[trainyard] job " + launch.jobId() + " runs on host " + inventory.node()
                + " with the local executor, without a container"
                + (launch.image() == null ? "" : " (image " + printable(launch.image()) + " is recorded, not used)")
                + "\n";
    }

    private static String printable(String text) {
        return text.replaceAll("[^A-Za-z0-9._:/@+-]", "_");
    }

    private static final FileAttribute<Set<PosixFilePermission>> READABLE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--"));
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private static void makeFolder(Path folder) throws IOException {
        File file = folder.toFile();
        if (!file.mkdir() && !file.isDirectory()) {
            throw new IOException("cannot create the folder " + folder);
        }
    }

    /** Writes a file of the job's folder, created with {@code permissions} when it is new. */
    private static void writeFile(
            Path file, String content, FileAttribute<Set<PosixFilePermission>> permissions, OpenOption mode)
            throws IOException {
        try (SeekableByteChannel channel = Files.newByteChannel(
                file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode), permissions)) {
            ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }
    }

    private static void writeScript(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Signals every process of the job: by user id when isolated, else by its process group. */
    private void signal(ExecutionHandle handle, String signal) {
        requestStop(handle, signal);
        List<String> command = handle.uid() != null
                ? List.of(
                        "setpriv",
                        "--reuid=" + handle.uid(),
                        "--regid=" + handle.uid(),
                        "--clear-groups",
                        "kill",
                        "-" + signal,
                        "-1")
                : unisolatedKill(handle, signal);
        run(command);
    }

    /** Signals the job's process group, and its processes that left the group (by {@link #JOB_TAG}). */
    private List<String> unisolatedKill(ExecutionHandle handle, String signal) {
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal, "--", "-" + handle.pid()));
        for (ProcessTable.Proc proc : processesOf(handle, ProcessTable.snapshot())) {
            if (proc.processGroup() != handle.pid()) {
                command.add(Long.toString(proc.pid()));
            }
        }
        return command;
    }

    /**
     * Records that the job was asked to stop, with the status a phase that had not started yet ends
     * with instead (128 + the signal's number); SIGKILL's request replaces SIGTERM's.
     */
    private static void requestStop(ExecutionHandle handle, String signal) {
        Path request = Path.of(handle.directory(), STOP_REQUEST);
        try {
            if (signal.equals("KILL") || !Files.exists(request)) {
                writeScript(request, signal.equals("KILL") ? "137\n" : "143\n");
            }
        } catch (IOException e) {
            LOG.warn("cannot record the stop request of job {}: {}", jobIdOf(handle), e.getMessage());
        }
    }

    private List<ProcessTable.Proc> processesOf(ExecutionHandle handle, List<ProcessTable.Proc> snapshot) {
        String tag = JOB_TAG + "=" + handle.directory();
        return snapshot.stream()
                .filter(proc -> handle.uid() != null
                        ? proc.uid() == handle.uid()
                        : proc.processGroup() == handle.pid()
                                || proc.session() == handle.pid()
                                || ProcessTable.hasEnvironmentEntry(proc.pid(), tag))
                .toList();
    }

    private int reserveUid(String jobId) {
        Set<Integer> inUse = uidsInUseAtStart();
        int start = Math.floorMod(jobId.hashCode(), UID_RANGE);
        for (int i = 0; i < UID_RANGE; i++) {
            int uid = uidBase + (start + i) % UID_RANGE;
            if (!inUse.contains(uid) && reservedUids.add(uid)) {
                return uid;
            }
        }
        throw new IllegalStateException("no free job user id in " + uidBase + ".." + (uidBase + UID_RANGE));
    }

    /**
     * User ids that processes had when this executor first looked (jobs adopted after a restart,
     * anything else). Later launches rely on the reservations, not on a /proc scan each: a scan
     * costs milliseconds, and every job pays it.
     */
    private Set<Integer> uidsInUseAtStart() {
        Set<Integer> known = startupUids;
        if (known == null) {
            synchronized (this) {
                if (startupUids == null) {
                    startupUids = ProcessTable.snapshot().stream()
                            .map(ProcessTable.Proc::uid)
                            .collect(Collectors.toUnmodifiableSet());
                }
                known = startupUids;
            }
        }
        return known;
    }

    private static void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            LOG.warn("{} failed: {}", command, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Bytes of the files in a working folder, not counting the job's datasets (not its to pay for). */
    private static long folderSize(Path folder) {
        long[] total = {0};
        Path inputs = folder.resolve(INPUTS);
        try {
            Files.walkFileTree(folder, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                    return dir.equals(inputs) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    total[0] += attributes.size();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            return total[0];
        }
        return total[0];
    }

    private static String jobIdOf(ExecutionHandle handle) {
        return Path.of(handle.directory()).getFileName().toString();
    }

    /** Takes no more jobs; running ones go on, and their wrappers still record how they end. */
    @Override
    public void close() {
        if (launcher != null) {
            launcher.close();
        }
    }

    /** Looked up once: a lookup reads the user database. */
    private static final class Root {
        static final UserPrincipal PRINCIPAL = lookupRoot();

        private static UserPrincipal lookupRoot() {
            try {
                return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("root");
            } catch (IOException e) {
                throw new UncheckedIOException("this host has no user root", e);
            }
        }
    }
}
