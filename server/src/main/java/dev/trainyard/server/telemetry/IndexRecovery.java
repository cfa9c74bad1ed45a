package dev.trainyard.server.telemetry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Brings an index left by a stopped or killed server back to a consistent state: only whole,
 * plausible records count, and each raw file resumes right after its stream's last record.
 */
final class IndexRecovery {
    private static final int RECORDS_PER_READ = 4096;

    private final FileChannel index;
    private final RawLog stdout;
    private final RawLog stderr;
    private final long stdoutSize;
    private final long stderrSize;
    private long validRecords = -1;
    private boolean stdoutFound;
    private boolean stderrFound;

    private IndexRecovery(FileChannel index, RawLog stdout, RawLog stderr) throws IOException {
        this.index = index;
        this.stdout = stdout;
        this.stderr = stderr;
        this.stdoutSize = stdout.size();
        this.stderrSize = stderr.size();
        // A stream with no output has no records to look for; without this, a job that never wrote
        // to stderr would have its whole index scanned on every restart.
        this.stdoutFound = stdoutSize == 0;
        this.stderrFound = stderrSize == 0;
    }

    /**
     * Truncates a torn or implausible tail, sets where each raw file resumes, and returns the number
     * of records kept.
     */
    static long recover(FileChannel index, RawLog stdout, RawLog stderr) throws IOException {
        return new IndexRecovery(index, stdout, stderr).run();
    }

    private long run() throws IOException {
        // Walk back from the end: usually both streams' last records are within the first read.
        ByteBuffer buffer = ByteBuffer.allocate(RECORDS_PER_READ * IndexRecord.SIZE);
        long end = index.size() / IndexRecord.SIZE;
        while (end > 0 && !(stdoutFound && stderrFound)) {
            int count = (int) Math.min(RECORDS_PER_READ, end);
            long first = end - count;
            buffer.clear().limit(count * IndexRecord.SIZE);
            RawLog.readFully(index, first * IndexRecord.SIZE, buffer);
            for (int i = count - 1; i >= 0 && !(stdoutFound && stderrFound); i--) {
                visit(first + i, IndexRecord.get(buffer.position(i * IndexRecord.SIZE)));
            }
            end = first;
        }
        long kept = Math.max(0, validRecords);
        if (index.size() != kept * IndexRecord.SIZE) {
            index.truncate(kept * IndexRecord.SIZE);
        }
        return kept;
    }

    private void visit(long number, IndexRecord record) {
        if (validRecords < 0) {
            if (!plausible(record)) {
                return;
            }
            validRecords = number + 1;
        }
        if (record == null) {
            return;
        }
        if (record.stream() == LogLine.Stream.STDOUT && !stdoutFound) {
            stdout.indexedTo(record.end());
            stdoutFound = true;
        } else if (record.stream() == LogLine.Stream.STDERR && !stderrFound) {
            stderr.indexedTo(record.end());
            stderrFound = true;
        }
    }

    /** Whether a trailing record was written whole: it must describe bytes that exist. */
    private boolean plausible(IndexRecord record) {
        if (record == null || record.offset() < 0 || record.length() < 0) {
            return false;
        }
        if (record.length() > LogIndex.MAX_LINE_BYTES) {
            return false;
        }
        long rawSize = record.stream() == LogLine.Stream.STDOUT ? stdoutSize : stderrSize;
        return record.end() <= rawSize;
    }
}
