package dev.trainyard.server.executor.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts job wrappers through one resident perl process ({@code launcher.pl}) that forks a wrapper
 * per job: a start then costs forks of a small process and one exec (the job's bash), where the
 * shell wrapper costs a chain of execs (setsid, bash, setpriv, bash, setpriv for the final kill).
 * The wrappers do what the shell wrapper does and write the same files; they are children of the
 * launcher, which reports each one's end, and they outlive both the launcher and the server.
 *
 * <p>perl-base is on every Debian and Ubuntu system; {@link #find()} says whether this host has perl.
 */
final class PerlLauncher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PerlLauncher.class);
    private static final String SCRIPT = "launcher.pl";
    private static final long START_TIMEOUT_SECONDS = 30;

    private final Path perl;
    private final Path script;
    private final Path log;
    private final Map<String, CompletableFuture<Long>> starting = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<Void>> running = new ConcurrentHashMap<>();
    private Process process;
    private OutputStream commands;
    private boolean closed;

    PerlLauncher(Path perl, Path jobsRoot) {
        this.perl = perl;
        this.script = jobsRoot.resolve(SCRIPT);
        this.log = jobsRoot.resolve("launcher.log");
        try (InputStream source = PerlLauncher.class.getResourceAsStream(SCRIPT)) {
            if (source == null) {
                throw new IllegalStateException(SCRIPT + " is missing from the server's classpath");
            }
            Path temporary = script.resolveSibling(SCRIPT + ".tmp");
            Files.copy(source, temporary, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            Files.move(temporary, script, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the job launcher " + script, e);
        }
    }

    /** This host's perl, if it has one that can run the launcher (POSIX is in perl-base). */
    static Optional<Path> find() {
        for (String candidate : new String[] {"/usr/bin/perl", "/bin/perl", "/usr/local/bin/perl"}) {
            Path path = Path.of(candidate);
            if (Files.isExecutable(path)) {
                return Optional.of(path);
            }
        }
        return Optional.empty();
    }

    /**
     * Forks the wrapper of the job in {@code folder} (as {@code uid}, or as this process's user when
     * null) and returns its pid once it exists.
     */
    long start(Path folder, Integer uid) throws IOException {
        String key = folder.toString();
        if (key.contains("\t") || key.contains("\n")) {
            throw new IOException("a job folder name holds a tab or a line break: " + key);
        }
        CompletableFuture<Long> started = new CompletableFuture<>();
        starting.put(key, started);
        try {
            send("L\t" + key + "\t" + (uid == null ? "-" : uid) + "\n");
            return started.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the job's wrapper was starting", e);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the job launcher did not answer within " + START_TIMEOUT_SECONDS + " s", e);
        } finally {
            starting.remove(key);
        }
    }

    /** Completes when the wrapper {@code pid} this launcher started has ended; empty if it is not one. */
    Optional<CompletableFuture<Void>> onExit(long pid) {
        return Optional.ofNullable(running.get(pid));
    }

    private synchronized void send(String line) throws IOException {
        if (closed) {
            throw new IOException("the job launcher is closed");
        }
        if (process == null || !process.isAlive()) {
            launch();
        }
        commands.write(line.getBytes(StandardCharsets.UTF_8));
        commands.flush();
    }

    private void launch() throws IOException {
        ProcessBuilder builder = new ProcessBuilder(perl.toString(), script.toString())
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/bin:/bin");
        builder.environment().put("LANG", "C.UTF-8");
        Process started = builder.start();
        process = started;
        commands = started.getOutputStream();
        Thread.ofPlatform()
                .daemon()
                .name("trainyard-job-launcher-" + started.pid())
                .start(() -> readAnswers(started));
        LOG.info("job launcher started (perl, pid {})", started.pid());
    }

    private void readAnswers(Process launcher) {
        try (BufferedReader answers =
                new BufferedReader(new InputStreamReader(launcher.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = answers.readLine(); line != null; line = answers.readLine()) {
                answer(line.split("\t", 3));
            }
        } catch (IOException e) {
            LOG.debug("reading the job launcher's answers stopped: {}", e.getMessage());
        }
        launcherGone(launcher);
    }

    private void answer(String[] fields) {
        switch (fields[0]) {
            case "S" -> {
                long pid = Long.parseLong(fields[2]);
                running.put(pid, new CompletableFuture<>());
                CompletableFuture<Long> started = starting.get(fields[1]);
                if (started != null) {
                    started.complete(pid);
                }
            }
            case "F" -> {
                CompletableFuture<Long> started = starting.get(fields[1]);
                if (started != null) {
                    started.completeExceptionally(new IOException(fields.length > 2 ? fields[2] : "fork failed"));
                }
            }
            case "E" -> {
                CompletableFuture<Void> ended = running.remove(Long.parseLong(fields[1]));
                if (ended != null) {
                    ended.complete(null);
                }
            }
            default -> LOG.warn("the job launcher said something unexpected: {}", String.join(" ", fields));
        }
    }

    /**
     * The launcher ended (killed, or closed): its wrappers live on, so their ends are watched
     * directly from now on, and the next start launches a new launcher.
     */
    private void launcherGone(Process launcher) {
        synchronized (this) {
            if (process == launcher) {
                process = null;
            }
        }
        if (!closed) {
            LOG.warn("the job launcher (pid {}) ended; a new one starts with the next job", launcher.pid());
        }
        starting.values().forEach(started -> started.completeExceptionally(new IOException("the job launcher ended")));
        running.forEach((pid, ended) -> ProcessHandle.of(pid)
                .map(ProcessHandle::onExit)
                .orElseGet(() -> CompletableFuture.completedFuture(null))
                .thenRun(() -> ended.complete(null)));
        running.clear();
    }

    /** Takes no more jobs; the launcher waits for its wrappers, then exits by itself. */
    @Override
    public synchronized void close() {
        closed = true;
        if (commands != null) {
            try {
                commands.close();
            } catch (IOException e) {
                LOG.debug("closing the job launcher's input: {}", e.getMessage());
            }
        }
    }
}
