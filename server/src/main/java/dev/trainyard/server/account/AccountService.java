package dev.trainyard.server.account;

import dev.trainyard.api.AdminStats;
import dev.trainyard.api.CreateUserRequest;
import dev.trainyard.api.CreatedUser;
import dev.trainyard.api.Me;
import dev.trainyard.api.Page;
import dev.trainyard.api.Role;
import dev.trainyard.api.User;
import dev.trainyard.server.auth.ApiKeyStore;
import dev.trainyard.server.auth.PasswordHasher;
import dev.trainyard.server.auth.Secrets;
import dev.trainyard.server.common.Ids;
import dev.trainyard.server.common.PageRequest;
import dev.trainyard.server.common.Principal;
import dev.trainyard.server.common.TrainyardException;
import dev.trainyard.server.org.OrganizationRow;
import dev.trainyard.server.org.OrganizationService;
import dev.trainyard.server.org.OrganizationStore;
import dev.trainyard.server.project.ProjectStore;
import dev.trainyard.server.store.Database;
import dev.trainyard.server.user.UserRow;
import dev.trainyard.server.user.UserStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/** User accounts: each comes with a personal organization. Admins create and list them. */
public final class AccountService {
    private static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._-]{1,38}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,255}");
    private static final int MIN_PASSWORD_LENGTH = 8;
    private static final int MAX_PASSWORD_LENGTH = 1024;

    private final Database database;
    private final PasswordHasher passwords;
    private final Clock clock;

    public AccountService(Database database, PasswordHasher passwords, Clock clock) {
        this.database = database;
        this.passwords = passwords;
        this.clock = clock;
    }

    public CreatedUser create(CreateUserRequest request) {
        List<dev.trainyard.api.Problem.FieldError> errors = new ArrayList<>();
        String username =
                request.username() == null ? "" : request.username().trim().toLowerCase(Locale.ROOT);
        if (!USERNAME.matcher(username).matches()) {
            errors.add(new dev.trainyard.api.Problem.FieldError(
                    "username",
                    "2 to 39 characters: letters, digits, '.', '_' or '-', starting with a letter or digit"));
        }
        String email = request.email() == null || request.email().isBlank()
                ? null
                : request.email().trim();
        if (email != null && !EMAIL.matcher(email).matches()) {
            errors.add(new dev.trainyard.api.Problem.FieldError("email", "is not an email address"));
        }
        if (request.password() != null
                && (request.password().length() < MIN_PASSWORD_LENGTH
                        || request.password().length() > MAX_PASSWORD_LENGTH)) {
            errors.add(new dev.trainyard.api.Problem.FieldError(
                    "password", MIN_PASSWORD_LENGTH + " to " + MAX_PASSWORD_LENGTH + " characters"));
        }
        if (!errors.isEmpty()) {
            throw TrainyardException.invalid(errors);
        }
        boolean generated = request.password() == null;
        String password = generated ? Secrets.newPassword() : request.password();
        String hash = passwords.hash(password);
        Instant now = clock.instant();
        UserRow user = Database.unique(
                () -> database.write(
                        handle -> insert(handle, username, email, hash, Boolean.TRUE.equals(request.admin()), now)),
                "a user named '" + username + "' already exists");
        return new CreatedUser(user.toUser(), generated ? password : null);
    }

    /** Creates a user and their personal organization inside a transaction. */
    static UserRow insert(
            Handle handle, String username, String email, String passwordHash, boolean admin, Instant now) {
        String userId = Ids.newId("u");
        UserStore users = handle.attach(UserStore.class);
        users.insert(new UserRow(userId, username, email, passwordHash, admin, null, now));
        OrganizationRow personal = OrganizationService.insert(handle, username, true, userId, now);
        users.setPersonalOrganization(userId, personal.id());
        return new UserRow(userId, username, email, passwordHash, admin, personal.id(), now);
    }

    public Page<User> list(PageRequest page) {
        return database.read(handle -> {
            UserStore users = handle.attach(UserStore.class);
            return new Page<>(
                    users.list(page.skip(), page.take()).stream()
                            .map(UserRow::toUser)
                            .toList(),
                    users.count(),
                    page.skip(),
                    page.take());
        });
    }

    public Me me(Principal caller) {
        return database.read(handle -> {
            UserRow user = handle.attach(UserStore.class)
                    .findById(caller.userId())
                    .orElseThrow(() -> TrainyardException.unauthenticated("the account no longer exists"));
            List<Me.Membership> memberships =
                    handle.attach(OrganizationStore.class).membershipsOf(caller.userId()).stream()
                            .map(row -> new Me.Membership(
                                    row.organizationId(),
                                    row.organizationName(),
                                    Role.fromWire(row.role()),
                                    row.personal()))
                            .toList();
            return new Me(user.toUser(), caller.methodName(), memberships);
        });
    }

    public AdminStats stats() {
        return database.read(handle -> new AdminStats(
                handle.attach(UserStore.class).count(),
                handle.attach(OrganizationStore.class).count(),
                handle.attach(ProjectStore.class).count(),
                handle.attach(ApiKeyStore.class).countAllActive()));
    }
}
