package dev.trainyard.server.telemetry;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * The indexer's working memory (a read chunk and a batch of index records), pooled so that a server
 * with many open logs holds a few of them rather than one per log.
 */
final class ChunkBuffers implements AutoCloseable {
    static final int CHUNK_BYTES = 1 << 20;
    static final int RECORDS_PER_BATCH = 8192;
    private static final ArrayBlockingQueue<ChunkBuffers> POOL = new ArrayBlockingQueue<>(4);

    final byte[] chunk = new byte[CHUNK_BYTES];
    final ByteBuffer chunkBuffer = ByteBuffer.wrap(chunk);
    final ByteBuffer records = ByteBuffer.allocate(RECORDS_PER_BATCH * IndexRecord.SIZE);

    private ChunkBuffers() {}

    static ChunkBuffers borrow() {
        ChunkBuffers pooled = POOL.poll();
        return pooled != null ? pooled : new ChunkBuffers();
    }

    @Override
    public void close() {
        chunkBuffer.clear();
        records.clear();
        POOL.offer(this);
    }
}
