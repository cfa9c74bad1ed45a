package dev.trainyard.server.account;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.api.CreatedApiKey;
import dev.trainyard.server.auth.ApiKeyService;
import dev.trainyard.server.auth.PasswordHasher;
import dev.trainyard.server.auth.Secrets;
import dev.trainyard.server.store.Database;
import dev.trainyard.server.user.UserStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * On first start (no users yet) creates the administrator {@code admin} with a random password
 * and an API key, and writes them to {@code DATA/initial-admin.json} with mode 0600. Later starts
 * leave everything alone.
 */
public final class InitialAdmin {
    public static final String FILE_NAME = "initial-admin.json";
    public static final String USERNAME = "admin";

    private InitialAdmin() {}

    /** Creates the administrator if there is no user; answers the file written, if any. */
    public static Optional<Path> ensure(
            Database database, PasswordHasher passwords, ObjectMapper mapper, Path dataDir, Clock clock) {
        if (database.read(handle -> handle.attach(UserStore.class).count()) > 0) {
            return Optional.empty();
        }
        String password = Secrets.newPassword();
        String hash = passwords.hash(password);
        Instant now = clock.instant();
        CreatedApiKey key = database.write(handle -> {
            var admin = AccountService.insert(handle, USERNAME, null, hash, true, now);
            return ApiKeyService.insert(handle, admin.id(), "initial admin key", null, now);
        });
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("username", USERNAME);
        secrets.put("password", password);
        secrets.put("api_key", key.key());
        Path file = dataDir.resolve(FILE_NAME);
        try {
            Path temporary = Files.createTempFile(dataDir, ".initial-admin", ".tmp");
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            Files.write(temporary, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(secrets));
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return Optional.of(file);
    }
}
