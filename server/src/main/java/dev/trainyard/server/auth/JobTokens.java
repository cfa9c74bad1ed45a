package dev.trainyard.server.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The tokens jobs report with ({@code TRAINYARD_JOB_TOKEN}): {@code tyj_<job id>.<HMAC-SHA256 of
 * the job id>} under a random key made on first start and kept in {@code DATA/keys}. A token names
 * one job and is worth nothing once that job has ended (the caller checks the job's state on every
 * use), so nothing about it is stored and a job start costs a MAC, not an ES256 signature (about a
 * millisecond of CPU, a fifth of the server's work for a short job).
 */
public final class JobTokens {
    public static final String PREFIX = "tyj_";
    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final int MAX_LENGTH = 200;

    private final SecretKeySpec key;

    public JobTokens(Path keysDir) {
        this.key = new SecretKeySpec(loadOrCreateKey(keysDir.resolve("job-token.key")), ALGORITHM);
    }

    /** The token of job {@code jobId}. */
    public String issue(String jobId) {
        return PREFIX + jobId + "." + ENCODER.encodeToString(mac(jobId));
    }

    /** The job a token names, if it is one of ours; empty for anything malformed or forged. */
    public Optional<String> jobOf(String token) {
        if (token == null || !token.startsWith(PREFIX) || token.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        int dot = token.lastIndexOf('.');
        if (dot <= PREFIX.length()) {
            return Optional.empty();
        }
        String jobId = token.substring(PREFIX.length(), dot);
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return MessageDigest.isEqual(given, mac(jobId)) ? Optional.of(jobId) : Optional.empty();
    }

    private byte[] mac(String jobId) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(("trainyard job token\0" + jobId).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing from this JDK", e);
        }
    }

    private static byte[] loadOrCreateKey(Path file) {
        try {
            if (Files.exists(file)) {
                byte[] key = Base64.getDecoder()
                        .decode(Files.readString(file, StandardCharsets.US_ASCII)
                                .trim());
                if (key.length < 32) {
                    throw new IllegalStateException("the job token key at " + file + " is too short");
                }
                return key;
            }
            Files.createDirectories(file.getParent());
            TokenService.restrict(file.getParent(), "rwx------");
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temporary, Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.US_ASCII);
            TokenService.restrict(temporary, "rw-------");
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the job token key at " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the job token key at " + file + " is unreadable", e);
        }
    }
}
