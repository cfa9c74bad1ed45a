package dev.trainyard.server.auth;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;

/** Argon2id password hashing (OWASP's second recommended profile: 19 MiB, 2 passes, 1 lane). */
public final class PasswordHasher {
    private static final Argon2Function ARGON2ID = Argon2Function.getInstance(19_456, 2, 1, 32, Argon2.ID);

    /**
     * A hash of a password nobody has, checked against when the user does not exist (same timing).
     * Made on first need: an Argon2 hash in a cold JVM costs a noticeable part of start-up.
     */
    private volatile String decoyHash;

    public String hash(String password) {
        return Password.hash(password).addRandomSalt(16).with(ARGON2ID).getResult();
    }

    public boolean matches(String password, String hash) {
        return Password.check(password, hash).with(ARGON2ID);
    }

    /** Spends the time of one check, for unknown users. */
    public void checkDecoy(String password) {
        String decoy = decoyHash;
        if (decoy == null) {
            decoy = hash(Secrets.newPassword());
            decoyHash = decoy;
        }
        matches(password, decoy);
    }
}
