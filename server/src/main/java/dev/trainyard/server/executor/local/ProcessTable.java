package dev.trainyard.server.executor.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Reads Linux's process table from /proc. */
final class ProcessTable {
    private static final Path PROC = Path.of("/proc");
    private static final long PAGE_SIZE = 4096;

    /** Clock ticks a second of CPU time in /proc (USER_HZ: 100 on every Linux architecture in use). */
    static final double TICKS_PER_SECOND = 100.0;

    /**
     * One process, as far as a job needs to know it.
     *
     * @param cpuTicks CPU time of the process and of the children it has waited for, in clock ticks
     */
    record Proc(
            long pid,
            long parentPid,
            long processGroup,
            long session,
            long startTicks,
            int uid,
            long residentBytes,
            long cpuTicks) {}

    /** Bytes a process has read from and written to storage (/proc/PID/io), or -1 each when unknown. */
    record Io(long readBytes, long writeBytes) {
        static final Io UNKNOWN = new Io(-1, -1);
    }

    private ProcessTable() {}

    /** Every process now; ones that vanish while being read are skipped. */
    static List<Proc> snapshot() {
        List<Proc> processes = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, ProcessTable::isPidFolder)) {
            for (Path entry : entries) {
                read(Long.parseLong(entry.getFileName().toString())).ifPresent(processes::add);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc", e);
        }
        return processes;
    }

    static Optional<Proc> read(long pid) {
        Path folder = PROC.resolve(Long.toString(pid));
        try {
            String stat = Files.readString(folder.resolve("stat"), StandardCharsets.US_ASCII);
            // The command name may hold spaces and parentheses: fields start after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            if (fields[0].equals("Z") || fields[0].equals("X")) {
                return Optional.empty();
            }
            int uid = (Integer) Files.getAttribute(folder, "unix:uid");
            return Optional.of(new Proc(
                    pid,
                    Long.parseLong(fields[1]),
                    Long.parseLong(fields[2]),
                    Long.parseLong(fields[3]),
                    Long.parseLong(fields[19]),
                    uid,
                    Long.parseLong(fields[21]) * PAGE_SIZE,
                    Long.parseLong(fields[11])
                            + Long.parseLong(fields[12])
                            + Long.parseLong(fields[13])
                            + Long.parseLong(fields[14])));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Storage bytes read and written by {@code pid} (readable for root or the process's own user). */
    static Io io(long pid) {
        try {
            long read = -1;
            long written = -1;
            for (String line :
                    Files.readAllLines(PROC.resolve(Long.toString(pid)).resolve("io"))) {
                if (line.startsWith("read_bytes: ")) {
                    read = Long.parseLong(line.substring(12).trim());
                } else if (line.startsWith("write_bytes: ")) {
                    written = Long.parseLong(line.substring(13).trim());
                }
            }
            return new Io(read, written);
        } catch (IOException | RuntimeException e) {
            return Io.UNKNOWN;
        }
    }

    /** Whether {@code pid} is alive and is the same process that started at {@code startTicks}. */
    static boolean isAlive(long pid, long startTicks) {
        return read(pid).map(proc -> proc.startTicks() == startTicks).orElse(false);
    }

    /**
     * Whether the environment {@code pid} was started with holds exactly {@code entry} ("NAME=value");
     * false when it cannot be read (gone, or another user's).
     */
    static boolean hasEnvironmentEntry(long pid, String entry) {
        byte[] wanted = entry.getBytes(StandardCharsets.UTF_8);
        try {
            byte[] environment =
                    Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ"));
            int start = 0;
            for (int i = 0; i <= environment.length; i++) {
                if (i == environment.length || environment[i] == 0) {
                    if (Arrays.equals(environment, start, i, wanted, 0, wanted.length)) {
                        return true;
                    }
                    start = i + 1;
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean isPidFolder(Path path) {
        String name = path.getFileName().toString();
        return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
    }
}
