package dev.trainyard.server.common;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/** Opaque resource ids: a type prefix, a dash, then 16 random base32 characters. */
public final class Ids {
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final int RANDOM_LENGTH = 16;
    private static final Pattern SHAPE = Pattern.compile("[a-z]-[a-z2-7]{12,32}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    public static String newId(String prefix) {
        StringBuilder id = new StringBuilder(prefix.length() + 1 + RANDOM_LENGTH)
                .append(prefix)
                .append('-');
        for (int i = 0; i < RANDOM_LENGTH; i++) {
            id.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return id.toString();
    }

    /** Whether {@code id} has the shape of an id with the given prefix; anything else cannot exist. */
    public static boolean looksLike(String prefix, String id) {
        return id != null && id.startsWith(prefix + "-") && SHAPE.matcher(id).matches();
    }
}
