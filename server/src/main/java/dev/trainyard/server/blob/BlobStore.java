package dev.trainyard.server.blob;

import dev.trainyard.server.common.ErrorCode;
import dev.trainyard.server.common.TrainyardException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Files stored by content: {@code BLOBS/sha256/<first two>/<sha256>}, each written to a temporary
 * file while it is hashed and counted, forced to disk, and renamed into place only once complete,
 * so an interrupted or refused write leaves nothing behind. Blobs are never changed in place; the
 * same content stored twice is one file. Readable by the server only (the folder is 0700); a job
 * gets a dataset through a link in its own folder.
 */
public final class BlobStore {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final int BUFFER = 1 << 20;

    private final Path root;
    private final Path temporary;

    /** A stored blob: its SHA-256, size, and what the caller's scanner made of the bytes. */
    public record Stored<T>(String sha256, long sizeBytes, Path path, T scanned) {}

    /** Looks at the bytes as they stream past (e.g. to count CSV rows); called with each chunk. */
    public interface Scanner<T> {
        void accept(byte[] bytes, int length);

        T result();

        /** A scanner that looks at nothing. */
        static <T> Scanner<T> none() {
            return new Scanner<>() {
                @Override
                public void accept(byte[] bytes, int length) {}

                @Override
                public T result() {
                    return null;
                }
            };
        }
    }

    /**
     * {@link #put} for a client's upload: too large is a 413 and an interrupted body a 400, both
     * leaving nothing behind; {@code what} names the thing in the message ("a dataset").
     */
    public <T> Stored<T> upload(InputStream in, long maxBytes, Scanner<T> scanner, String what) {
        try {
            return put(in, maxBytes, scanner);
        } catch (TooLargeException e) {
            throw TrainyardException.of(ErrorCode.TOO_LARGE, what + " may be at most " + maxBytes + " bytes");
        } catch (IOException e) {
            throw TrainyardException.of(
                    ErrorCode.MALFORMED_REQUEST,
                    "the upload was interrupted; nothing was stored (" + e.getMessage() + ")");
        }
    }

    /** Thrown when the content is larger than allowed; nothing was kept. */
    public static final class TooLargeException extends IOException {
        public TooLargeException(long limit) {
            super("larger than " + limit + " bytes");
        }
    }

    public BlobStore(Path root) {
        this.root = root;
        this.temporary = root.resolve("tmp");
        try {
            Files.createDirectories(temporary);
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
            // Left over by a crash mid-write: never referenced, so safe to remove.
            try (var stale = Files.list(temporary)) {
                for (Path file : stale.toList()) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the blob store " + root, e);
        }
    }

    /**
     * Stores everything {@code in} gives, up to {@code maxBytes}; the scanner sees every byte. The
     * SHA-256 is computed on a second thread while this one writes and scans (hashing alone runs at
     * about 250 MB/s on the development machine, so doing it beside the writing is what keeps an
     * upload near that speed).
     */
    public <T> Stored<T> put(InputStream in, long maxBytes, Scanner<T> scanner) throws IOException {
        Path partial = temporary.resolve(UUID.randomUUID() + ".part");
        Hasher hasher = new Hasher();
        Thread hashing = Thread.ofVirtual().name("trainyard-blob-hash").start(hasher);
        long size = 0;
        try {
            try (OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE_NEW)) {
                while (true) {
                    byte[] buffer = hasher.freeBuffer();
                    int read = in.readNBytes(buffer, 0, buffer.length);
                    if (read > 0) {
                        size += read;
                        if (size > maxBytes) {
                            throw new TooLargeException(maxBytes);
                        }
                        hasher.hash(buffer, read);
                        scanner.accept(buffer, read);
                        out.write(buffer, 0, read);
                    }
                    if (read < buffer.length) {
                        break;
                    }
                }
            }
            String hash = hasher.finish();
            try (var channel = java.nio.channels.FileChannel.open(partial, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Path target = path(hash);
            Files.createDirectories(target.getParent());
            Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("r--r--r--"));
            if (Files.exists(target)) {
                Files.delete(partial);
            } else {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            }
            return new Stored<>(hash, size, target, scanner.result());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while storing", e);
        } finally {
            hashing.interrupt();
            Files.deleteIfExists(partial);
        }
    }

    /** Hashes the chunks handed to it on its own thread, returning each buffer once hashed. */
    private static final class Hasher implements Runnable {
        private static final int BUFFERS = 4;
        private final MessageDigest digest = sha256();
        private final java.util.concurrent.BlockingQueue<byte[]> free =
                new java.util.concurrent.ArrayBlockingQueue<>(BUFFERS);
        private final java.util.concurrent.BlockingQueue<Object> work =
                new java.util.concurrent.ArrayBlockingQueue<>(BUFFERS + 1);
        private final java.util.concurrent.CompletableFuture<String> result =
                new java.util.concurrent.CompletableFuture<>();
        private static final Object END = new Object();

        private record Chunk(byte[] bytes, int length) {}

        Hasher() {
            for (int i = 0; i < BUFFERS; i++) {
                free.add(new byte[BUFFER]);
            }
        }

        byte[] freeBuffer() throws InterruptedException {
            return free.take();
        }

        void hash(byte[] bytes, int length) throws InterruptedException {
            work.put(new Chunk(bytes, length));
        }

        /** Waits for the chunks handed over so far and answers their SHA-256 in hex. */
        String finish() throws InterruptedException, IOException {
            work.put(END);
            try {
                return result.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException("hashing failed", e.getCause());
            }
        }

        @Override
        public void run() {
            try {
                while (true) {
                    Object next = work.take();
                    if (next == END) {
                        result.complete(HexFormat.of().formatHex(digest.digest()));
                        return;
                    }
                    Chunk chunk = (Chunk) next;
                    digest.update(chunk.bytes(), 0, chunk.length());
                    free.put(chunk.bytes());
                }
            } catch (InterruptedException e) {
                result.completeExceptionally(e);
            }
        }
    }

    /** Where a blob is; the hash must be a SHA-256 in lower-case hex. */
    public Path path(String sha256) {
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("not a SHA-256: " + sha256);
        }
        return root.resolve("sha256").resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    /** Removes a blob nothing refers to any more. */
    public void delete(String sha256) throws IOException {
        Files.deleteIfExists(path(sha256));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
