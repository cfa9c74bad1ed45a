package dev.trainyard.server.http;

import dev.trainyard.server.common.ErrorCode;
import dev.trainyard.server.common.TrainyardException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Answers with a stored file: whole, or the one byte range asked for. */
public final class FileDownload {
    private FileDownload() {}

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    /**
     * The file, or the one byte range asked for ({@code Range: bytes=a-b}, {@code a-} or {@code -n}):
     * 206 with {@code Content-Range}; a range past the end is 416; several ranges get the whole file.
     */
    public static void send(Call call, Path file, long size, String contentType) throws IOException {
        var ctx = call.context();
        ctx.header("Accept-Ranges", "bytes").contentType(contentType);
        long start = 0;
        long end = size - 1;
        String range = ctx.header("Range");
        Matcher asked = range == null ? null : RANGE.matcher(range.strip());
        if (asked != null
                && asked.matches()
                && !(asked.group(1).isEmpty() && asked.group(2).isEmpty())) {
            try {
                if (asked.group(1).isEmpty()) {
                    start = Math.max(0, size - Long.parseLong(asked.group(2)));
                } else {
                    start = Long.parseLong(asked.group(1));
                    end = asked.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(asked.group(2)));
                }
            } catch (NumberFormatException e) {
                start = size; // beyond any file: answered 416 below
            }
            if (start >= size || start > end) {
                ctx.header("Content-Range", "bytes */" + size);
                throw TrainyardException.of(
                        ErrorCode.RANGE_NOT_SATISFIABLE, "the range " + range + " lies outside the " + size + " bytes");
            }
            ctx.status(206).header("Content-Range", "bytes " + start + "-" + end + "/" + size);
        } else {
            ctx.status(200);
        }
        long length = end - start + 1;
        ctx.res().setContentLengthLong(length);
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(start);
            OutputStream out = ctx.outputStream();
            byte[] buffer = new byte[1 << 16];
            long left = length;
            while (left > 0) {
                int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (read < 0) {
                    break;
                }
                out.write(buffer, 0, read);
                left -= read;
            }
        }
    }
}
