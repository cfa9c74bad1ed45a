package dev.trainyard.server.telemetry;

import java.nio.charset.StandardCharsets;

/** Turns a line's raw bytes into its text. */
final class LogText {
    private LogText() {}

    /** The line's length without a trailing '\r', so CRLF output reads like LF output. */
    static int trimmedLength(byte[] bytes, int from, int length) {
        return length > 0 && bytes[from + length - 1] == '\r' ? length - 1 : length;
    }

    /** Decodes UTF-8, replacing invalid sequences with U+FFFD rather than failing. */
    static String decode(byte[] bytes, int from, int length) {
        return new String(bytes, from, trimmedLength(bytes, from, length), StandardCharsets.UTF_8);
    }
}
