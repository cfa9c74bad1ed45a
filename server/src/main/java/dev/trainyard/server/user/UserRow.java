package dev.trainyard.server.user;

import dev.trainyard.api.User;
import dev.trainyard.api.UserRef;
import java.time.Instant;

/** A user as stored, password hash included; never leaves the server as is. */
public record UserRow(
        String id,
        String username,
        String email,
        String passwordHash,
        boolean admin,
        String personalOrgId,
        Instant createdAt) {

    public User toUser() {
        return new User(id, username, email, admin, personalOrgId, createdAt);
    }

    public UserRef toRef() {
        return new UserRef(id, username, email);
    }
}
