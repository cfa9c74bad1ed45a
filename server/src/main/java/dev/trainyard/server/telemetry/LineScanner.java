package dev.trainyard.server.telemetry;

import java.io.IOException;

/** Cuts a chunk of raw output into lines at '\n', splitting lines longer than the cap. */
final class LineScanner {
    private LineScanner() {}

    /** Receives the lines of a chunk as ranges of its bytes. */
    interface Sink {
        void line(int from, int length, boolean terminated) throws IOException;
    }

    /**
     * Reports every complete line in {@code bytes[0, length)} and returns how many bytes they cover.
     * A trailing run without '\n' is left for the next chunk unless it is longer than {@code
     * maxLine} (then it is split) or {@code atEnd} says no more output will come (then it becomes a
     * final unterminated line).
     */
    static int scan(byte[] bytes, int length, int maxLine, boolean atEnd, Sink sink) throws IOException {
        int lineStart = 0;
        int searchFrom = 0;
        while (true) {
            int searchEnd = Math.min(length, lineStart + maxLine + 1);
            int newline = indexOfNewline(bytes, searchFrom, searchEnd);
            if (newline >= 0) {
                sink.line(lineStart, newline - lineStart, true);
                lineStart = newline + 1;
                searchFrom = lineStart;
            } else if (length - lineStart > maxLine) {
                // Splitting only once maxLine + 1 bytes lack a '\n' keeps a line of exactly maxLine
                // bytes whole instead of producing an extra empty line.
                int cut = characterStart(bytes, lineStart + maxLine);
                sink.line(lineStart, cut - lineStart, false);
                lineStart = cut;
                searchFrom = searchEnd;
            } else {
                if (atEnd && lineStart < length) {
                    sink.line(lineStart, length - lineStart, false);
                    lineStart = length;
                }
                return lineStart;
            }
        }
    }

    private static int indexOfNewline(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /**
     * Moves a split point back to the start of the UTF-8 character it falls in (at most 3 bytes), so
     * both halves of a split line decode cleanly; invalid input keeps the original point.
     */
    private static int characterStart(byte[] bytes, int cut) {
        for (int at = cut; at > cut - 4; at--) {
            if (!isContinuation(bytes[at])) {
                return at;
            }
        }
        return cut;
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
