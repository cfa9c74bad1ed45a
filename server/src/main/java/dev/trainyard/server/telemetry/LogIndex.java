package dev.trainyard.server.telemetry;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The numbered lines of one job's output. The job process writes {@code stdout.log} and {@code
 * stderr.log} in its folder itself (so output survives the server); this class indexes them into
 * {@code log.index}, one fixed-size record per line (see {@link IndexRecord}), which makes any page
 * one seek away and lets a restarted server resume exactly after the last whole record.
 *
 * <p>One thread at a time indexes ({@link #poll()}, then {@link #finish()} once the job ended);
 * any number of threads read concurrently ({@link #read}, {@link #copyText}, {@link #awaitLines}),
 * each with its own file channels, so readers never hold up the indexer. The indexing methods must
 * not be interrupted: an interrupt closes the channel they are using.
 *
 * <p>Lines are split at '\n' and numbered in the order the server sees them (per poll, new stdout
 * lines before new stderr lines). A line longer than {@link #MAX_LINE_BYTES} becomes several lines.
 * A trailing '\r' is dropped from the text; invalid UTF-8 decodes as U+FFFD.
 */
public final class LogIndex implements Closeable {
    /** Longest line kept whole; longer runs without '\n' are split so memory stays bounded. */
    public static final int MAX_LINE_BYTES = 64 * 1024;

    static final String STDOUT_FILE = "stdout.log";
    static final String STDERR_FILE = "stderr.log";
    static final String INDEX_FILE = "log.index";
    static final String COMPLETE_FILE = "log.complete";

    private static final Logger LOG = LoggerFactory.getLogger(LogIndex.class);
    private static final int COPY_PAGE = 4096;

    private final Path jobDir;
    private final Clock clock;
    private final Consumer<List<LogLine>> listener;
    private final FileChannel index;
    private final RawLog stdout;
    private final RawLog stderr;
    // ReentrantLock rather than synchronized: the indexer does file I/O while holding it, which
    // would pin a virtual thread to its carrier on Java 21.
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock signalLock = new ReentrantLock();
    private final Condition changed = signalLock.newCondition();
    private volatile long lineCount;
    private volatile boolean complete;
    private boolean closed;

    private LogIndex(
            Path jobDir,
            Clock clock,
            Consumer<List<LogLine>> listener,
            FileChannel index,
            RawLog stdout,
            RawLog stderr) {
        this.jobDir = jobDir;
        this.clock = clock;
        this.listener = listener;
        this.index = index;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Opens (or creates) the index of the job whose output is in {@code jobDir}. */
    public static LogIndex open(Path jobDir, Clock clock) throws IOException {
        return open(jobDir, clock, null);
    }

    /**
     * Like {@link #open(Path, Clock)}, and hands every batch of newly indexed lines to {@code
     * listener} on the indexing thread, after the batch is in the index (so across a crash a batch
     * may be missed, never repeated). It runs while indexing waits, so it should be quick; a null
     * listener costs nothing.
     */
    public static LogIndex open(Path jobDir, Clock clock, Consumer<List<LogLine>> listener) throws IOException {
        FileChannel index = FileChannel.open(
                jobDir.resolve(INDEX_FILE),
                StandardOpenOption.CREATE,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        RawLog stdout = new RawLog(LogLine.Stream.STDOUT, jobDir.resolve(STDOUT_FILE));
        RawLog stderr = new RawLog(LogLine.Stream.STDERR, jobDir.resolve(STDERR_FILE));
        LogIndex log = new LogIndex(jobDir, clock, listener, index, stdout, stderr);
        try {
            log.complete = Files.exists(jobDir.resolve(COMPLETE_FILE));
            // A complete index was flushed and forced before its marker: nothing to repair or resume.
            log.lineCount =
                    log.complete ? index.size() / IndexRecord.SIZE : IndexRecovery.recover(index, stdout, stderr);
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
        return log;
    }

    /** How many lines are indexed; line numbers below it can be read. */
    public long lineCount() {
        return lineCount;
    }

    /** Whether {@link #finish()} has run: the line count will not change again. */
    public boolean isComplete() {
        return complete;
    }

    /**
     * Indexes the complete lines written to both files since the last call and returns how many
     * were added. Reads only up to the sizes the files had when called, so a job writing faster
     * than this indexes cannot keep it from returning.
     */
    public long poll() throws IOException {
        writeLock.lock();
        try {
            ensureOpen();
            return complete ? 0 : indexOutput(false);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Once the job has ended: indexes what is left, including a last line without '\n' in either
     * file, forces the index to disk and marks the log complete (in {@code log.complete}, so a
     * restarted server knows). Calling it again does nothing.
     */
    public void finish() throws IOException {
        writeLock.lock();
        try {
            ensureOpen();
            if (complete) {
                return;
            }
            indexOutput(true);
            index.force(true);
            Files.write(jobDir.resolve(COMPLETE_FILE), new byte[0]);
            complete = true;
            signalChange();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Waits until line number {@code line} exists (that is, {@code lineCount() > line}) or the log
     * is complete, for at most {@code timeout}. Returns false if it timed out: a follower that has
     * read up to {@code next_offset} waits with {@code awaitLines(next_offset, ...)}.
     */
    public boolean awaitLines(long line, Duration timeout) throws InterruptedException {
        if (lineCount > line || complete) {
            return true;
        }
        long nanos = timeout.toNanos();
        signalLock.lock();
        try {
            while (lineCount <= line && !complete) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            signalLock.unlock();
        }
    }

    /**
     * Lines {@code offset} to {@code offset + limit - 1}, fewer where the log ends sooner. The page
     * is read into memory: callers bound {@code limit} (use {@link #copyText} for whole logs).
     */
    public List<LogLine> read(long offset, int limit) throws IOException {
        int count = (int) available(offset, limit);
        if (count == 0) {
            return List.of();
        }
        List<IndexRecord> records = records(offset, count);
        List<LogLine> lines = new ArrayList<>(count);
        forEachLine(
                records,
                (record, bytes, from) -> lines.add(new LogLine(
                        offset + lines.size(),
                        record.instant(),
                        record.stream(),
                        LogText.decode(bytes, from, record.length()))));
        return lines;
    }

    /**
     * Writes lines {@code offset} to {@code offset + limit - 1} to {@code out} as text, each
     * followed by '\n', and returns how many it wrote. The bytes are the job's own (not re-encoded),
     * which is what a {@code text/plain} download wants and the fastest way to serve it.
     */
    public long copyText(long offset, long limit, OutputStream out) throws IOException {
        long count = available(offset, limit);
        BufferedOutputStream buffered = new BufferedOutputStream(out, 1 << 16);
        for (long done = 0; done < count; done += COPY_PAGE) {
            List<IndexRecord> records = records(offset + done, (int) Math.min(COPY_PAGE, count - done));
            forEachLine(records, (record, bytes, from) -> {
                buffered.write(bytes, from, LogText.trimmedLength(bytes, from, record.length()));
                buffered.write('\n');
            });
        }
        buffered.flush();
        return count;
    }

    @Override
    public void close() throws IOException {
        writeLock.lock();
        try {
            closed = true;
            index.close();
        } finally {
            try {
                stdout.close();
                stderr.close();
            } finally {
                writeLock.unlock();
            }
        }
    }

    private void ensureOpen() throws ClosedChannelException {
        // Checked here because a raw file the job had not created yet would otherwise be opened.
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    private long available(long offset, long limit) {
        if (offset < 0 || limit < 0) {
            throw new IllegalArgumentException("offset and limit must not be negative");
        }
        return Math.max(0, Math.min(limit, lineCount - offset));
    }

    private long indexOutput(boolean finishing) throws IOException {
        long before = lineCount;
        long stdoutEnd = stdout.size();
        long stderrEnd = stderr.size();
        if (stdoutEnd <= stdout.indexed() && stderrEnd <= stderr.indexed()) {
            return 0; // the common idle poll: two size checks, no buffers
        }
        try (ChunkBuffers buffers = ChunkBuffers.borrow()) {
            // Alternate chunks so that a backlog in one file does not hold back the other's lines.
            boolean progressed = true;
            while (progressed) {
                boolean stdoutProgressed = indexChunk(stdout, stdoutEnd, finishing, buffers);
                boolean stderrProgressed = indexChunk(stderr, stderrEnd, finishing, buffers);
                progressed = stdoutProgressed || stderrProgressed;
            }
        }
        return lineCount - before;
    }

    private boolean indexChunk(RawLog raw, long end, boolean finishing, ChunkBuffers buffers) throws IOException {
        long start = raw.indexed();
        if (start >= end) {
            return false;
        }
        ByteBuffer chunk = buffers.chunkBuffer.clear().limit((int) Math.min(buffers.chunk.length, end - start));
        int length = raw.read(start, chunk);
        boolean atEnd = finishing && start + length >= end;
        Appender appender = new Appender(raw, start, buffers, clock.millis());
        LineScanner.scan(buffers.chunk, length, MAX_LINE_BYTES, atEnd, appender);
        appender.flush();
        return raw.indexed() > start;
    }

    private List<IndexRecord> records(long first, int count) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(count * IndexRecord.SIZE);
        try (FileChannel channel = FileChannel.open(jobDir.resolve(INDEX_FILE), StandardOpenOption.READ)) {
            if (RawLog.readFully(channel, first * IndexRecord.SIZE, buffer) < buffer.capacity()) {
                throw new IOException("the log index of " + jobDir + " is shorter than its line count");
            }
        }
        buffer.flip();
        List<IndexRecord> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            IndexRecord record = IndexRecord.get(buffer);
            if (record == null) {
                throw new IOException("line " + (first + i) + " of the log index of " + jobDir + " is damaged");
            }
            records.add(record);
        }
        return records;
    }

    private void forEachLine(List<IndexRecord> records, LineVisitor visitor) throws IOException {
        try (RawReader stdoutReader = readerFor(stdout, records);
                RawReader stderrReader = readerFor(stderr, records)) {
            for (IndexRecord record : records) {
                RawReader reader = record.stream() == LogLine.Stream.STDOUT ? stdoutReader : stderrReader;
                int from = reader.locate(record.offset(), record.length());
                visitor.visit(record, reader.bytes(), from);
            }
        }
    }

    /** A reader sized to the stream's lines in {@code records}, or null if it has none there. */
    private static RawReader readerFor(RawLog raw, List<IndexRecord> records) throws IOException {
        long first = -1;
        long end = 0;
        for (IndexRecord record : records) {
            if (record.stream() == raw.stream()) {
                first = first < 0 ? record.offset() : first;
                end = record.offset() + record.length();
            }
        }
        return first < 0 ? null : RawReader.open(raw.path(), end - first);
    }

    private void signalChange() {
        signalLock.lock();
        try {
            changed.signalAll();
        } finally {
            signalLock.unlock();
        }
    }

    /** Receives each line of a page with its bytes at {@code bytes[from, from + record.length())}. */
    private interface LineVisitor {
        void visit(IndexRecord record, byte[] bytes, int from) throws IOException;
    }

    /**
     * Turns the lines of one chunk into index records and appends them in batches: one write per
     * batch, then the new line count is published, waiting followers are woken and the listener is
     * told.
     */
    private final class Appender implements LineScanner.Sink {
        private final RawLog raw;
        private final long chunkStart;
        private final byte[] bytes;
        private final ByteBuffer records;
        private final long time;
        private List<LogLine> lines;
        private long end;

        Appender(RawLog raw, long chunkStart, ChunkBuffers buffers, long time) {
            this.raw = raw;
            this.chunkStart = chunkStart;
            this.bytes = buffers.chunk;
            this.records = buffers.records.clear();
            this.time = time;
            this.lines = listener == null ? null : new ArrayList<>();
        }

        @Override
        public void line(int from, int length, boolean terminated) throws IOException {
            if (!records.hasRemaining()) {
                flush();
            }
            IndexRecord.put(records, raw.stream(), chunkStart + from, length, terminated, time);
            end = chunkStart + from + length + (terminated ? 1 : 0);
            if (lines != null) {
                long number = lineCount + records.position() / IndexRecord.SIZE - 1;
                lines.add(new LogLine(
                        number, Instant.ofEpochMilli(time), raw.stream(), LogText.decode(bytes, from, length)));
            }
        }

        void flush() throws IOException {
            if (records.position() == 0) {
                return;
            }
            records.flip();
            long position = lineCount * IndexRecord.SIZE;
            while (records.hasRemaining()) {
                position += index.write(records, position);
            }
            // Only the indexing thread writes these; the volatile write publishes the records.
            raw.indexedTo(end);
            lineCount = lineCount + records.limit() / IndexRecord.SIZE;
            records.clear();
            signalChange();
            notifyListener();
        }

        private void notifyListener() {
            if (lines == null) {
                return;
            }
            List<LogLine> batch = lines;
            lines = new ArrayList<>();
            try {
                listener.accept(batch);
            } catch (RuntimeException e) {
                LOG.warn("a log listener of {} failed", jobDir, e);
            }
        }
    }
}
