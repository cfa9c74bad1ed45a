package dev.trainyard.server.auth;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * Random secrets in base62 with a CRC32 checksum, like GitHub's tokens: API keys ({@code ty_}) and
 * refresh tokens ({@code tyr_}). A mistyped or truncated secret is refused before any lookup.
 * Secrets carry 256 random bits, so a plain SHA-256 is a safe way to store them.
 */
public final class Secrets {
    public static final String API_KEY_PREFIX = "ty_";
    public static final String REFRESH_TOKEN_PREFIX = "tyr_";

    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int BODY_LENGTH = 43;
    private static final int CHECKSUM_LENGTH = 6;
    private static final Pattern BASE62_TEXT = Pattern.compile("[0-9A-Za-z]+");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {}

    public static String newApiKey() {
        return newSecret(API_KEY_PREFIX);
    }

    public static String newRefreshToken() {
        return newSecret(REFRESH_TOKEN_PREFIX);
    }

    /** A random password of 24 base62 characters (about 143 bits). */
    public static String newPassword() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return base62(bytes, 24);
    }

    /** Whether {@code text} has the prefix, length and checksum of a secret of that kind. */
    public static boolean isWellFormed(String prefix, String text) {
        if (text == null
                || !text.startsWith(prefix)
                || text.length() != prefix.length() + BODY_LENGTH + CHECKSUM_LENGTH) {
            return false;
        }
        String rest = text.substring(prefix.length());
        if (!BASE62_TEXT.matcher(rest).matches()) {
            return false;
        }
        String body = rest.substring(0, BODY_LENGTH);
        return checksum(prefix + body).equals(rest.substring(BODY_LENGTH));
    }

    public static String sha256(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** The part of a key that may be shown: its prefix and first four characters. */
    public static String displayPrefix(String key) {
        return key.substring(0, API_KEY_PREFIX.length() + 4);
    }

    public static String lastFour(String key) {
        return key.substring(key.length() - 4);
    }

    private static String newSecret(String prefix) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String body = base62(bytes, BODY_LENGTH);
        return prefix + body + checksum(prefix + body);
    }

    private static String checksum(String text) {
        CRC32 crc = new CRC32();
        crc.update(text.getBytes(StandardCharsets.US_ASCII));
        return base62(BigInteger.valueOf(crc.getValue()).toByteArray(), CHECKSUM_LENGTH);
    }

    private static String base62(byte[] bytes, int length) {
        BigInteger value = new BigInteger(1, bytes);
        BigInteger base = BigInteger.valueOf(62);
        char[] out = new char[length];
        for (int i = length - 1; i >= 0; i--) {
            BigInteger[] quotientAndRemainder = value.divideAndRemainder(base);
            out[i] = BASE62.charAt(quotientAndRemainder[1].intValue());
            value = quotientAndRemainder[0];
        }
        return new String(out);
    }
}
