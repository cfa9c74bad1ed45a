package dev.trainyard.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.trainyard.server.activity.ActivityLog;
import dev.trainyard.server.activity.ActivityRow;
import dev.trainyard.server.auth.ApiKeyRow;
import dev.trainyard.server.auth.ApiKeyStore;
import dev.trainyard.server.auth.RefreshTokenRow;
import dev.trainyard.server.auth.RefreshTokenStore;
import dev.trainyard.server.common.ErrorCode;
import dev.trainyard.server.common.Ids;
import dev.trainyard.server.common.TrainyardException;
import dev.trainyard.server.config.DatabaseConfig;
import dev.trainyard.server.org.MembershipRow;
import dev.trainyard.server.org.OrganizationRow;
import dev.trainyard.server.org.OrganizationStore;
import dev.trainyard.server.project.ProjectRow;
import dev.trainyard.server.project.ProjectStore;
import dev.trainyard.server.user.UserRow;
import dev.trainyard.server.user.UserStore;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every store promises, whatever the database. Each test opens a fresh {@link Database} on
 * an empty, migrated database from {@link #createEmptyDatabase()} and works through {@code
 * database.write/read} and the stores as the services do; subclasses run the suite on SQLite and
 * PostgreSQL.
 */
abstract class StoreContractTest {
    private static final Instant T0 = Instant.parse("2025-03-01T12:00:00.123Z");

    private DatabaseConfig config;
    private Database database;

    /**
     * Answers how to connect to a database without rows: a new one, or one whose tables were
     * emptied. {@link Database#open} brings its schema up to date.
     */
    protected abstract DatabaseConfig createEmptyDatabase();

    @BeforeEach
    final void openFreshDatabase() {
        config = createEmptyDatabase();
        database = Database.open(config);
    }

    @AfterEach
    final void closeDatabase() {
        if (database != null) {
            database.close();
        }
    }

    // ---- users ------------------------------------------------------------------------------

    @Test
    void insertedUserIsFoundByIdAndByUsername() {
        UserRow user = new UserRow(Ids.newId("u"), "ada", "ada@example.com", "hash", true, null, at(0));
        database.writeVoid(handle -> handle.attach(UserStore.class).insert(user));

        assertThat(read((Handle handle) -> handle.attach(UserStore.class).findById(user.id())))
                .contains(user);
        assertThat(read((Handle handle) -> handle.attach(UserStore.class).findByUsername("ada")))
                .contains(user);
        assertThat(read((Handle handle) -> handle.attach(UserStore.class).findById("u-missing")))
                .isEmpty();
        assertThat(read((Handle handle) -> handle.attach(UserStore.class).findByUsername("nobody")))
                .isEmpty();
    }

    @Test
    void userWithoutEmailKeepsItNull() {
        UserRow user = new UserRow(Ids.newId("u"), "quiet", null, "hash", false, null, at(0));
        database.writeVoid(handle -> handle.attach(UserStore.class).insert(user));

        assertThat(read((Handle handle) -> handle.attach(UserStore.class).findById(user.id())))
                .hasValueSatisfying(found -> {
                    assertThat(found.email()).isNull();
                    assertThat(found.admin()).isFalse();
                });
    }

    @Test
    void personalOrganizationIsRecordedOnTheUser() {
        UserRow user = insertUser("ada", at(0));
        OrganizationRow personal = insertOrganization(Ids.newId("o"), "ada", true, user, at(0));

        database.writeVoid(handle -> handle.attach(UserStore.class).setPersonalOrganization(user.id(), personal.id()));

        assertThat(read((Handle handle) -> handle.attach(UserStore.class).findById(user.id())))
                .hasValueSatisfying(found -> assertThat(found.personalOrgId()).isEqualTo(personal.id()));
    }

    @Test
    void duplicateUsernameIsAUniqueViolation() {
        insertUser("ada", at(0));
        UserRow twin = newUser("ada", at(1));

        assertThatThrownBy(() -> database.writeVoid(
                        handle -> handle.attach(UserStore.class).insert(twin)))
                .isInstanceOfSatisfying(
                        RuntimeException.class,
                        e -> assertThat(Database.isUniqueViolation(e)).isTrue());
        assertThatThrownBy(() -> Database.unique(
                        () -> write((Handle handle) -> {
                            handle.attach(UserStore.class).insert(twin);
                            return twin.id();
                        }),
                        "the username 'ada' is taken"))
                .isInstanceOfSatisfying(TrainyardException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS);
                    assertThat(e.getMessage()).isEqualTo("the username 'ada' is taken");
                });
        assertThat(read((Handle handle) -> handle.attach(UserStore.class).count()))
                .isEqualTo(1);
    }

    @Test
    void foreignKeyViolationIsNotAUniqueViolation() {
        OrganizationRow orphan = new OrganizationRow(Ids.newId("o"), "orphan", false, "u-nobody", at(0));

        assertThatThrownBy(() -> database.writeVoid(
                        handle -> handle.attach(OrganizationStore.class).insert(orphan)))
                .isInstanceOfSatisfying(
                        UnableToExecuteStatementException.class,
                        e -> assertThat(Database.isUniqueViolation(e)).isFalse());
        assertThatThrownBy(() -> Database.unique(
                        () -> write((Handle handle) -> {
                            handle.attach(OrganizationStore.class).insert(orphan);
                            return orphan.id();
                        }),
                        "exists"))
                .isInstanceOf(UnableToExecuteStatementException.class);
    }

    @Test
    void usersAreListedOldestFirstPageByPage() {
        UserRow third = insertUser("carol", at(30));
        UserRow first = insertUser("ada", at(10));
        UserRow fifth = insertUser("eve", at(50));
        UserRow second = insertUser("bob", at(20));
        UserRow fourth = insertUser("dan", at(40));

        assertThat(read((Handle handle) -> handle.attach(UserStore.class).list(0, 2)))
                .containsExactly(first, second);
        assertThat(read((Handle handle) -> handle.attach(UserStore.class).list(2, 2)))
                .containsExactly(third, fourth);
        assertThat(read((Handle handle) -> handle.attach(UserStore.class).list(4, 2)))
                .containsExactly(fifth);
        assertThat(read((Handle handle) -> handle.attach(UserStore.class).list(5, 2)))
                .isEmpty();
        assertThat(read((Handle handle) -> handle.attach(UserStore.class).count()))
                .isEqualTo(5);
    }

    @Test
    void usersCreatedAtTheSameMomentAreListedById() {
        UserRow later = insertUser("u-bbbbbbbbbbbbbbbb", "bob", at(0));
        UserRow earlier = insertUser("u-aaaaaaaaaaaaaaaa", "ada", at(0));

        assertThat(read((Handle handle) -> handle.attach(UserStore.class).list(0, 10)))
                .containsExactly(earlier, later);
    }

    // ---- organizations and memberships ------------------------------------------------------

    @Test
    void insertedOrganizationIsFoundById() {
        UserRow ada = insertUser("ada", at(0));
        OrganizationRow team = insertOrganization(Ids.newId("o"), "research", false, ada, at(1));
        OrganizationRow personal = insertOrganization(Ids.newId("o"), "ada", true, ada, at(2));

        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).findById(team.id())))
                .contains(team);
        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).findById(personal.id())))
                .contains(personal);
        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).findById("o-missing")))
                .isEmpty();
        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).count()))
                .isEqualTo(2);
    }

    @Test
    void membershipCarriesItsOrganizationAndUser() {
        UserRow ada = insertUser("ada", at(0));
        UserRow bob = insertUser("bob", at(1));
        OrganizationRow team = insertOrganization(Ids.newId("o"), "research", false, ada, at(2));
        addMember(team, ada, "owner", at(3));

        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).membership(team.id(), ada.id())))
                .contains(new MembershipRow(
                        team.id(), "research", false, ada.id(), "ada", "ada@example.com", "owner", at(3), at(2)));
        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).membership(team.id(), bob.id())))
                .isEmpty();
    }

    @Test
    void joiningTwiceIsAUniqueViolation() {
        UserRow ada = insertUser("ada", at(0));
        OrganizationRow team = insertOrganization(Ids.newId("o"), "research", false, ada, at(1));
        addMember(team, ada, "owner", at(2));

        assertThatThrownBy(() -> addMember(team, ada, "viewer", at(3)))
                .isInstanceOfSatisfying(
                        RuntimeException.class,
                        e -> assertThat(Database.isUniqueViolation(e)).isTrue());
        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).membership(team.id(), ada.id())))
                .hasValueSatisfying(membership -> assertThat(membership.role()).isEqualTo("owner"));
    }

    @Test
    void membershipsListThePersonalOrganizationFirstThenOldestFirst() {
        UserRow ada = insertUser("ada", at(0));
        OrganizationRow newest = insertOrganization("o-zzzzzzzzzzzzzzzz", "newest", false, ada, at(30));
        OrganizationRow tiedB = insertOrganization("o-bbbbbbbbbbbbbbbb", "tied-b", false, ada, at(10));
        OrganizationRow personal = insertOrganization("o-yyyyyyyyyyyyyyyy", "ada", true, ada, at(40));
        OrganizationRow tiedA = insertOrganization("o-aaaaaaaaaaaaaaaa", "tied-a", false, ada, at(10));
        OrganizationRow oldest = insertOrganization("o-xxxxxxxxxxxxxxxx", "oldest", false, ada, at(5));
        for (OrganizationRow organization : List.of(newest, tiedB, personal, tiedA, oldest)) {
            addMember(organization, ada, "owner", at(50));
        }
        UserRow bob = insertUser("bob", at(1));
        addMember(tiedA, bob, "member", at(60));

        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).membershipsOf(ada.id())))
                .extracting(MembershipRow::organizationId)
                .containsExactly(personal.id(), oldest.id(), tiedA.id(), tiedB.id(), newest.id());
        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).membershipsOf(bob.id())))
                .extracting(MembershipRow::organizationId, MembershipRow::role)
                .containsExactly(tuple(tiedA.id(), "member"));
    }

    @Test
    void membersArePagedInJoiningOrderThenByUsername() {
        UserRow ada = insertUser("ada", at(0));
        UserRow bob = insertUser("bob", at(1));
        UserRow carol = insertUser("carol", at(2));
        UserRow dan = insertUser("dan", at(3));
        OrganizationRow team = insertOrganization(Ids.newId("o"), "research", false, ada, at(4));
        OrganizationRow other = insertOrganization(Ids.newId("o"), "other", false, dan, at(4));
        addMember(team, ada, "owner", at(10));
        addMember(team, dan, "member", at(20));
        addMember(team, carol, "viewer", at(15));
        addMember(team, bob, "viewer", at(15));
        addMember(other, dan, "owner", at(5));

        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).members(team.id(), 0, 2)))
                .extracting(MembershipRow::username)
                .containsExactly("ada", "bob");
        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).members(team.id(), 2, 2)))
                .extracting(MembershipRow::username)
                .containsExactly("carol", "dan");
        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).members(team.id(), 4, 2)))
                .isEmpty();
        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).memberCount(team.id())))
                .isEqualTo(4);
        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).memberCount(other.id())))
                .isEqualTo(1);
    }

    @Test
    void changeRoleChangesOnlyThatMembership() {
        UserRow ada = insertUser("ada", at(0));
        UserRow bob = insertUser("bob", at(1));
        UserRow carol = insertUser("carol", at(2));
        OrganizationRow team = insertOrganization(Ids.newId("o"), "research", false, ada, at(3));
        OrganizationRow other = insertOrganization(Ids.newId("o"), "other", false, bob, at(3));
        addMember(team, ada, "owner", at(4));
        addMember(team, bob, "member", at(5));
        addMember(other, bob, "member", at(5));

        assertThat(write((Handle handle) ->
                        handle.attach(OrganizationStore.class).changeRole(team.id(), bob.id(), "owner")))
                .isEqualTo(1);
        assertThat(write((Handle handle) ->
                        handle.attach(OrganizationStore.class).changeRole(team.id(), carol.id(), "owner")))
                .isZero();

        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).membership(team.id(), bob.id())))
                .hasValueSatisfying(membership -> assertThat(membership.role()).isEqualTo("owner"));
        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).membership(other.id(), bob.id())))
                .hasValueSatisfying(membership -> assertThat(membership.role()).isEqualTo("member"));
        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).ownerCount(team.id())))
                .isEqualTo(2);
        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).ownerCount(other.id())))
                .isZero();
    }

    @Test
    void removeMemberEndsTheMembershipOnce() {
        UserRow ada = insertUser("ada", at(0));
        UserRow bob = insertUser("bob", at(1));
        OrganizationRow team = insertOrganization(Ids.newId("o"), "research", false, ada, at(2));
        addMember(team, ada, "owner", at(3));
        addMember(team, bob, "member", at(4));

        assertThat(write((Handle handle) ->
                        handle.attach(OrganizationStore.class).removeMember(team.id(), bob.id())))
                .isEqualTo(1);
        assertThat(write((Handle handle) ->
                        handle.attach(OrganizationStore.class).removeMember(team.id(), bob.id())))
                .isZero();

        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).membership(team.id(), bob.id())))
                .isEmpty();
        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).membershipsOf(bob.id())))
                .isEmpty();
        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).memberCount(team.id())))
                .isEqualTo(1);
    }

    @Test
    void ownerCountCountsOnlyOwners() {
        UserRow ada = insertUser("ada", at(0));
        UserRow bob = insertUser("bob", at(1));
        UserRow carol = insertUser("carol", at(2));
        UserRow dan = insertUser("dan", at(3));
        OrganizationRow team = insertOrganization(Ids.newId("o"), "research", false, ada, at(4));
        addMember(team, ada, "owner", at(5));
        addMember(team, bob, "owner", at(6));
        addMember(team, carol, "admin", at(7));
        addMember(team, dan, "viewer", at(8));

        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).ownerCount(team.id())))
                .isEqualTo(2);
        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).ownerCount("o-missing")))
                .isZero();
    }

    @Test
    void deletingAnOrganizationDeletesItsMemberships() {
        UserRow ada = insertUser("ada", at(0));
        OrganizationRow team = insertOrganization(Ids.newId("o"), "research", false, ada, at(1));
        OrganizationRow other = insertOrganization(Ids.newId("o"), "other", false, ada, at(2));
        addMember(team, ada, "owner", at(3));
        addMember(other, ada, "owner", at(3));

        int deleted = write((Handle handle) -> handle.createUpdate("DELETE FROM organizations WHERE id = :id")
                .bind("id", team.id())
                .execute());

        assertThat(deleted).isEqualTo(1);
        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).membershipsOf(ada.id())))
                .extracting(MembershipRow::organizationId)
                .containsExactly(other.id());
        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).memberCount(team.id())))
                .isZero();
    }

    @Test
    void organizationWithProjectsCannotBeDeleted() {
        UserRow ada = insertUser("ada", at(0));
        OrganizationRow team = insertOrganization(Ids.newId("o"), "research", false, ada, at(1));
        insertProject(team, "vision", ada, at(2));

        assertThatThrownBy(
                        () -> write((Handle handle) -> handle.createUpdate("DELETE FROM organizations WHERE id = :id")
                                .bind("id", team.id())
                                .execute()))
                .isInstanceOfSatisfying(
                        UnableToExecuteStatementException.class,
                        e -> assertThat(Database.isUniqueViolation(e)).isFalse());
        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).findById(team.id())))
                .isPresent();
    }

    // ---- API keys -----------------------------------------------------------------------------

    @Test
    void apiKeyIsFoundByItsHash() {
        UserRow ada = insertUser("ada", at(0));
        ApiKeyRow key = new ApiKeyRow(
                Ids.newId("k"), ada.id(), "laptop", "ty_abcd", "wxyz", "hash-1", at(1), null, at(86_400), null);
        database.writeVoid(handle -> handle.attach(ApiKeyStore.class).insert(key));

        assertThat(read((Handle handle) -> handle.attach(ApiKeyStore.class).findByHash("hash-1")))
                .contains(key);
        assertThat(read((Handle handle) -> handle.attach(ApiKeyStore.class).findByHash("hash-2")))
                .isEmpty();
    }

    @Test
    void twoKeysCannotShareAHash() {
        UserRow ada = insertUser("ada", at(0));
        insertKey(ada, "one", "same-hash", at(1));

        assertThatThrownBy(() -> insertKey(ada, "two", "same-hash", at(2)))
                .isInstanceOfSatisfying(
                        RuntimeException.class,
                        e -> assertThat(Database.isUniqueViolation(e)).isTrue());
    }

    @Test
    void activeKeysAreListedNewestFirstWithoutRevokedOnes() {
        UserRow ada = insertUser("ada", at(0));
        UserRow bob = insertUser("bob", at(1));
        ApiKeyRow oldest = insertKey(ada, "oldest", "hash-1", at(10));
        ApiKeyRow revoked = insertKey(ada, "revoked", "hash-2", at(20));
        ApiKeyRow middle = insertKey(ada, "middle", "hash-3", at(30));
        ApiKeyRow newest = insertKey(ada, "newest", "hash-4", at(40));
        insertKey(bob, "bob's", "hash-5", at(50));
        assertThat(write((Handle handle) -> handle.attach(ApiKeyStore.class).revoke(revoked.id(), ada.id(), at(60))))
                .isEqualTo(1);

        assertThat(read((Handle handle) -> handle.attach(ApiKeyStore.class).listActive(ada.id(), 0, 2)))
                .containsExactly(newest, middle);
        assertThat(read((Handle handle) -> handle.attach(ApiKeyStore.class).listActive(ada.id(), 2, 2)))
                .containsExactly(oldest);
        assertThat(read((Handle handle) -> handle.attach(ApiKeyStore.class).countActive(ada.id())))
                .isEqualTo(3);
        assertThat(read((Handle handle) -> handle.attach(ApiKeyStore.class).countActive(bob.id())))
                .isEqualTo(1);
        assertThat(read((Handle handle) -> handle.attach(ApiKeyStore.class).countAllActive()))
                .isEqualTo(4);
    }

    @Test
    void onlyTheOwnerCanRevokeAKeyAndOnlyOnce() {
        UserRow ada = insertUser("ada", at(0));
        UserRow mallory = insertUser("mallory", at(1));
        ApiKeyRow key = insertKey(ada, "laptop", "hash-1", at(2));

        assertThat(write((Handle handle) -> handle.attach(ApiKeyStore.class).revoke(key.id(), mallory.id(), at(3))))
                .isZero();
        assertThat(read((Handle handle) -> handle.attach(ApiKeyStore.class).findByHash("hash-1")))
                .hasValueSatisfying(found -> assertThat(found.revokedAt()).isNull());

        assertThat(write((Handle handle) -> handle.attach(ApiKeyStore.class).revoke(key.id(), ada.id(), at(4))))
                .isEqualTo(1);
        assertThat(write((Handle handle) -> handle.attach(ApiKeyStore.class).revoke(key.id(), ada.id(), at(5))))
                .isZero();
        assertThat(read((Handle handle) -> handle.attach(ApiKeyStore.class).findByHash("hash-1")))
                .hasValueSatisfying(found -> {
                    assertThat(found.revokedAt()).isEqualTo(at(4));
                    assertThat(found.usableAt(at(6))).isFalse();
                });
    }

    @Test
    void findsAKeysCallerInOneRead() {
        UserRow ada = insertUser("ada", at(0));
        ApiKeyRow key = insertKey(ada, "laptop", "hash-1", at(1));

        assertThat(read((Handle handle) -> handle.attach(ApiKeyStore.class).findCallerByHash("hash-1")))
                .hasValueSatisfying(caller -> {
                    assertThat(caller.keyId()).isEqualTo(key.id());
                    assertThat(caller.userId()).isEqualTo(ada.id());
                    assertThat(caller.username()).isEqualTo("ada");
                    assertThat(caller.usableAt(at(2))).isTrue();
                });
        write((Handle handle) -> handle.attach(ApiKeyStore.class).revoke(key.id(), ada.id(), at(3)));
        assertThat(read((Handle handle) -> handle.attach(ApiKeyStore.class).findCallerByHash("hash-1")))
                .hasValueSatisfying(caller -> assertThat(caller.usableAt(at(4))).isFalse());
        assertThat(read((Handle handle) -> handle.attach(ApiKeyStore.class).findCallerByHash("hash-9")))
                .isEmpty();
    }

    @Test
    void touchRecordsWhenAKeyWasLastUsed() {
        UserRow ada = insertUser("ada", at(0));
        ApiKeyRow key = insertKey(ada, "laptop", "hash-1", at(1));
        ApiKeyRow other = insertKey(ada, "desktop", "hash-2", at(1));

        database.writeVoid(handle -> handle.attach(ApiKeyStore.class).touch(key.id(), at(7)));
        database.writeVoid(handle -> handle.attach(ApiKeyStore.class).touch(key.id(), at(9)));

        assertThat(read((Handle handle) -> handle.attach(ApiKeyStore.class).findByHash("hash-1")))
                .hasValueSatisfying(found -> assertThat(found.lastUsedAt()).isEqualTo(at(9)));
        assertThat(read((Handle handle) -> handle.attach(ApiKeyStore.class).findByHash(other.keyHash())))
                .hasValueSatisfying(found -> assertThat(found.lastUsedAt()).isNull());
    }

    // ---- refresh tokens -----------------------------------------------------------------------

    @Test
    void refreshTokenIsFoundByItsHash() {
        UserRow ada = insertUser("ada", at(0));
        RefreshTokenRow token = insertRefreshToken(ada, "family-1", "hash-1", at(1));

        assertThat(read((Handle handle) ->
                        handle.attach(RefreshTokenStore.class).findByHash("hash-1")))
                .contains(token);
        assertThat(read((Handle handle) ->
                        handle.attach(RefreshTokenStore.class).findByHash("hash-2")))
                .isEmpty();
    }

    @Test
    void refreshTokenWorksOnlyOnce() {
        UserRow ada = insertUser("ada", at(0));
        RefreshTokenRow token = insertRefreshToken(ada, "family-1", "hash-1", at(1));

        assertThat(write((Handle handle) ->
                        handle.attach(RefreshTokenStore.class).markUsed(token.id(), at(2))))
                .isEqualTo(1);
        assertThat(write((Handle handle) ->
                        handle.attach(RefreshTokenStore.class).markUsed(token.id(), at(3))))
                .isZero();
        assertThat(read((Handle handle) ->
                        handle.attach(RefreshTokenStore.class).findByHash("hash-1")))
                .hasValueSatisfying(found -> {
                    assertThat(found.usedAt()).isEqualTo(at(2));
                    assertThat(found.revokedAt()).isNull();
                });
    }

    @Test
    void revokingAFamilyRevokesAllItsTokensAndNoOthers() {
        UserRow ada = insertUser("ada", at(0));
        RefreshTokenRow first = insertRefreshToken(ada, "family-1", "hash-1", at(1));
        RefreshTokenRow second = insertRefreshToken(ada, "family-1", "hash-2", at(2));
        RefreshTokenRow elsewhere = insertRefreshToken(ada, "family-2", "hash-3", at(3));

        assertThat(write((Handle handle) ->
                        handle.attach(RefreshTokenStore.class).revokeFamily("family-1", at(4))))
                .isEqualTo(2);
        assertThat(write((Handle handle) ->
                        handle.attach(RefreshTokenStore.class).revokeFamily("family-1", at(5))))
                .isZero();

        assertThat(write((Handle handle) ->
                        handle.attach(RefreshTokenStore.class).markUsed(second.id(), at(6))))
                .as("a revoked token cannot be used")
                .isZero();
        assertThat(read((Handle handle) ->
                        handle.attach(RefreshTokenStore.class).findByHash(first.tokenHash())))
                .hasValueSatisfying(found -> assertThat(found.revokedAt()).isEqualTo(at(4)));
        assertThat(read((Handle handle) ->
                        handle.attach(RefreshTokenStore.class).findByHash(elsewhere.tokenHash())))
                .hasValueSatisfying(found -> assertThat(found.revokedAt()).isNull());
        assertThat(write((Handle handle) ->
                        handle.attach(RefreshTokenStore.class).markUsed(elsewhere.id(), at(7))))
                .isEqualTo(1);
    }

    // ---- projects -----------------------------------------------------------------------------

    @Test
    void projectIsFoundWithItsCreator() {
        UserRow ada = insertUser("ada", at(0));
        OrganizationRow team = insertOrganization(Ids.newId("o"), "research", false, ada, at(1));
        String id = insertProject(team, "vision", "image models", ada, at(2));

        assertThat(read((Handle handle) -> handle.attach(ProjectStore.class).findById(id)))
                .contains(new ProjectRow(
                        id, team.id(), "vision", "image models", ada.id(), "ada", "ada@example.com", at(2), at(2)));
        assertThat(read((Handle handle) -> handle.attach(ProjectStore.class).findById("p-missing")))
                .isEmpty();
    }

    @Test
    void projectsAreVisibleOnlyInTheCallersOrganizations() {
        UserRow ada = insertUser("ada", at(0));
        UserRow bob = insertUser("bob", at(1));
        OrganizationRow research = insertOrganization(Ids.newId("o"), "research", false, ada, at(2));
        OrganizationRow platform = insertOrganization(Ids.newId("o"), "platform", false, ada, at(3));
        OrganizationRow secret = insertOrganization(Ids.newId("o"), "secret", false, bob, at(4));
        addMember(research, ada, "owner", at(5));
        addMember(platform, ada, "viewer", at(5));
        addMember(secret, bob, "owner", at(5));
        String vision = insertProject(research, "vision", ada, at(10));
        String serving = insertProject(platform, "serving", ada, at(20));
        String speech = insertProject(research, "speech", ada, at(30));
        String hidden = insertProject(secret, "hidden", bob, at(40));

        assertThat(listVisible(ada, null, 0, 10)).containsExactly(speech, serving, vision);
        assertThat(countVisible(ada, null)).isEqualTo(3);
        assertThat(listVisible(ada, research.id(), 0, 10)).containsExactly(speech, vision);
        assertThat(countVisible(ada, research.id())).isEqualTo(2);
        assertThat(listVisible(ada, platform.id(), 0, 10)).containsExactly(serving);
        assertThat(countVisible(ada, platform.id())).isEqualTo(1);
        assertThat(listVisible(ada, secret.id(), 0, 10)).isEmpty();
        assertThat(countVisible(ada, secret.id())).isZero();
        assertThat(listVisible(ada, "o-missing", 0, 10)).isEmpty();
        assertThat(listVisible(bob, null, 0, 10)).containsExactly(hidden);
        assertThat(countVisible(bob, null)).isEqualTo(1);
        assertThat(listVisible(bob, research.id(), 0, 10)).isEmpty();
        UserRow loner = insertUser("loner", at(50));
        assertThat(listVisible(loner, null, 0, 10)).isEmpty();
        assertThat(countVisible(loner, null)).isZero();
    }

    @Test
    void visibleProjectsArePagedNewestFirst() {
        UserRow ada = insertUser("ada", at(0));
        OrganizationRow team = insertOrganization(Ids.newId("o"), "research", false, ada, at(1));
        addMember(team, ada, "owner", at(2));
        String first = insertProject(team, "first", ada, at(10));
        String fourth = insertProject(team, "fourth", ada, at(40));
        String second = insertProject(team, "second", ada, at(20));
        String fifth = insertProject(team, "fifth", ada, at(50));
        String third = insertProject(team, "third", ada, at(30));

        assertThat(listVisible(ada, null, 0, 2)).containsExactly(fifth, fourth);
        assertThat(listVisible(ada, null, 2, 2)).containsExactly(third, second);
        assertThat(listVisible(ada, team.id(), 4, 2)).containsExactly(first);
        assertThat(listVisible(ada, team.id(), 5, 2)).isEmpty();
        assertThat(countVisible(ada, null)).isEqualTo(5);
    }

    @Test
    void projectNamesAreUniqueWithinAnOrganizationOnly() {
        UserRow ada = insertUser("ada", at(0));
        OrganizationRow research = insertOrganization(Ids.newId("o"), "research", false, ada, at(1));
        OrganizationRow platform = insertOrganization(Ids.newId("o"), "platform", false, ada, at(2));
        insertProject(research, "vision", ada, at(3));

        assertThatThrownBy(() -> Database.unique(
                        () -> insertProject(research, "vision", ada, at(4)), "a project named 'vision' already exists"))
                .isInstanceOfSatisfying(
                        TrainyardException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS));
        String elsewhere = insertProject(platform, "vision", ada, at(5));

        assertThat(read((Handle handle) -> handle.attach(ProjectStore.class).findById(elsewhere)))
                .isPresent();
        assertThat(read((Handle handle) -> handle.attach(ProjectStore.class).count()))
                .isEqualTo(2);
    }

    @Test
    void updateChangesNameDescriptionAndUpdatedAtOnly() {
        UserRow ada = insertUser("ada", at(0));
        OrganizationRow team = insertOrganization(Ids.newId("o"), "research", false, ada, at(1));
        String vision = insertProject(team, "vision", "old", ada, at(2));
        String speech = insertProject(team, "speech", ada, at(3));

        assertThat(write((Handle handle) -> handle.attach(ProjectStore.class).update(vision, "vision-2", "new", at(9))))
                .isEqualTo(1);
        assertThat(write((Handle handle) -> handle.attach(ProjectStore.class).update("p-missing", "x", "y", at(9))))
                .isZero();

        assertThat(read((Handle handle) -> handle.attach(ProjectStore.class).findById(vision)))
                .hasValueSatisfying(project -> {
                    assertThat(project.name()).isEqualTo("vision-2");
                    assertThat(project.description()).isEqualTo("new");
                    assertThat(project.createdAt()).isEqualTo(at(2));
                    assertThat(project.updatedAt()).isEqualTo(at(9));
                    assertThat(project.organizationId()).isEqualTo(team.id());
                });
        assertThatThrownBy(() -> write(
                        (Handle handle) -> handle.attach(ProjectStore.class).update(speech, "vision-2", "", at(10))))
                .isInstanceOfSatisfying(
                        RuntimeException.class,
                        e -> assertThat(Database.isUniqueViolation(e)).isTrue());
        assertThat(read((Handle handle) -> handle.attach(ProjectStore.class).findById(speech)))
                .hasValueSatisfying(project -> assertThat(project.name()).isEqualTo("speech"));
    }

    @Test
    void deleteRemovesTheProjectOnce() {
        UserRow ada = insertUser("ada", at(0));
        OrganizationRow team = insertOrganization(Ids.newId("o"), "research", false, ada, at(1));
        addMember(team, ada, "owner", at(2));
        String vision = insertProject(team, "vision", ada, at(3));
        String speech = insertProject(team, "speech", ada, at(4));

        assertThat(write((Handle handle) -> handle.attach(ProjectStore.class).delete(vision)))
                .isEqualTo(1);
        assertThat(write((Handle handle) -> handle.attach(ProjectStore.class).delete(vision)))
                .isZero();

        assertThat(read((Handle handle) -> handle.attach(ProjectStore.class).findById(vision)))
                .isEmpty();
        assertThat(listVisible(ada, null, 0, 10)).containsExactly(speech);
        assertThat(read((Handle handle) -> handle.attach(ProjectStore.class).count()))
                .isEqualTo(1);
        assertThat(insertProject(team, "vision", ada, at(5)))
                .as("the name is free again")
                .isNotEqualTo(vision);
    }

    // ---- activity -----------------------------------------------------------------------------

    @Test
    void activityIsListedNewestFirstWithItsActor() {
        UserRow ada = insertUser("ada", at(0));
        OrganizationRow team = insertOrganization(Ids.newId("o"), "research", false, ada, at(1));
        String vision = insertProject(team, "vision", ada, at(2));
        String speech = insertProject(team, "speech", ada, at(3));
        database.writeVoid(handle -> {
            ActivityLog.record(handle, team.id(), vision, ada.id(), "project.created", "vision", at(10));
            ActivityLog.record(handle, team.id(), vision, ada.id(), "project.updated", "name", at(30));
            ActivityLog.record(handle, team.id(), speech, ada.id(), "project.created", "speech", at(20));
            ActivityLog.record(handle, team.id(), vision, "u-gone", "project.updated", "description", at(40));
            ActivityLog.record(handle, team.id(), null, ada.id(), "organization.renamed", "", at(50));
        });

        List<ActivityRow> newest =
                read((Handle handle) -> handle.attach(ActivityLog.class).forProject(vision, 0, 2));
        assertThat(newest)
                .extracting(
                        ActivityRow::action, ActivityRow::detail, ActivityRow::actorUsername, ActivityRow::createdAt)
                .containsExactly(
                        tuple("project.updated", "description", null, at(40)),
                        tuple("project.updated", "name", "ada", at(30)));
        assertThat(newest.get(1).actorEmail()).isEqualTo("ada@example.com");
        assertThat(newest.get(1).organizationId()).isEqualTo(team.id());
        assertThat(newest.get(1).projectId()).isEqualTo(vision);
        assertThat(newest.get(0).actorId()).isEqualTo("u-gone");
        assertThat(read((Handle handle) -> handle.attach(ActivityLog.class).forProject(vision, 2, 2)))
                .extracting(ActivityRow::action)
                .containsExactly("project.created");
        assertThat(read((Handle handle) -> handle.attach(ActivityLog.class).countForProject(vision)))
                .isEqualTo(3);
        assertThat(read((Handle handle) -> handle.attach(ActivityLog.class).countForProject(speech)))
                .isEqualTo(1);
        assertThat(read((Handle handle) -> handle.attach(ActivityLog.class).forProject("p-missing", 0, 10)))
                .isEmpty();
    }

    // ---- instants, transactions, durability ---------------------------------------------------

    @Test
    void instantsRoundTripExactlyAtMillisecondPrecision() {
        List<Instant> instants = List.of(
                Instant.EPOCH,
                Instant.parse("1969-07-20T20:17:40.001Z"),
                Instant.parse("2025-03-01T12:00:00.999Z"),
                Instant.ofEpochMilli(1_740_830_400_123L),
                Instant.parse("9999-12-31T23:59:59.999Z"));
        UserRow ada = insertUser("ada", at(0));
        for (int i = 0; i < instants.size(); i++) {
            Instant instant = instants.get(i);
            ApiKeyRow key = new ApiKeyRow(
                    Ids.newId("k"), ada.id(), "key-" + i, "ty_", "0000", "hash-" + i, instant, null, instant, null);
            database.writeVoid(handle -> handle.attach(ApiKeyStore.class).insert(key));
            database.writeVoid(handle -> handle.attach(ApiKeyStore.class).touch(key.id(), instant));

            assertThat(read((Handle handle) -> handle.attach(ApiKeyStore.class).findByHash(key.keyHash())))
                    .hasValueSatisfying(found -> {
                        assertThat(found.createdAt()).isEqualTo(instant);
                        assertThat(found.expiresAt()).isEqualTo(instant);
                        assertThat(found.lastUsedAt()).isEqualTo(instant);
                        assertThat(found.revokedAt()).isNull();
                    });
        }
    }

    @Test
    void instantsAreStoredToTheMillisecond() {
        UserRow ada = insertUser("ada", Instant.parse("2025-03-01T12:00:00.123456789Z"));

        assertThat(read((Handle handle) -> handle.attach(UserStore.class).findById(ada.id())))
                .hasValueSatisfying(
                        found -> assertThat(found.createdAt()).isEqualTo(Instant.parse("2025-03-01T12:00:00.123Z")));
    }

    @Test
    void aTransactionThatThrowsRollsBackEverythingItWrote() {
        UserRow ada = insertUser("ada", at(0));
        IllegalStateException failure = new IllegalStateException("boom");

        assertThatThrownBy(() -> database.writeVoid(handle -> {
                    UserRow bob = newUser("bob", at(1));
                    handle.attach(UserStore.class).insert(bob);
                    OrganizationRow team = new OrganizationRow(Ids.newId("o"), "research", false, bob.id(), at(2));
                    handle.attach(OrganizationStore.class).insert(team);
                    handle.attach(OrganizationStore.class).addMember(team.id(), bob.id(), "owner", at(3));
                    handle.attach(ProjectStore.class).insert(Ids.newId("p"), team.id(), "vision", "", bob.id(), at(4));
                    handle.attach(UserStore.class).setPersonalOrganization(ada.id(), team.id());
                    throw failure;
                }))
                .isSameAs(failure);

        assertThat(read((Handle handle) -> handle.attach(UserStore.class).count()))
                .isEqualTo(1);
        assertThat(read((Handle handle) -> handle.attach(UserStore.class).findByUsername("bob")))
                .isEmpty();
        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).count()))
                .isZero();
        assertThat(read((Handle handle) -> handle.attach(ProjectStore.class).count()))
                .isZero();
        assertThat(read((Handle handle) -> handle.attach(UserStore.class).findById(ada.id())))
                .contains(ada);
    }

    @Test
    void aTransactionThatHitsAUniqueViolationRollsBackItsEarlierWrites() {
        insertUser("ada", at(0));

        assertThatThrownBy(() -> Database.unique(
                        () -> write((Handle handle) -> {
                            handle.attach(UserStore.class).insert(newUser("bob", at(1)));
                            handle.attach(UserStore.class).insert(newUser("ada", at(2)));
                            return null;
                        }),
                        "taken"))
                .isInstanceOf(TrainyardException.class);

        assertThat(read((Handle handle) -> handle.attach(UserStore.class).findByUsername("bob")))
                .isEmpty();
        assertThat(read((Handle handle) -> handle.attach(UserStore.class).count()))
                .isEqualTo(1);
    }

    @Test
    void acknowledgedWriteSurvivesReopeningTheDatabase() {
        UserRow ada = insertUser("ada", at(0));
        OrganizationRow team = insertOrganization(Ids.newId("o"), "research", false, ada, at(1));
        addMember(team, ada, "owner", at(2));
        String vision = insertProject(team, "vision", ada, at(3));

        database.close();
        database = null;
        database = Database.open(config);

        assertThat(database.isReachable()).isTrue();
        assertThat(database.isSqlite()).isEqualTo(config.isSqlite());
        assertThat(read((Handle handle) -> handle.attach(UserStore.class).findByUsername("ada")))
                .contains(ada);
        assertThat(listVisible(ada, null, 0, 10)).containsExactly(vision);
        assertThat(read((Handle handle) ->
                        handle.attach(OrganizationStore.class).membership(team.id(), ada.id())))
                .hasValueSatisfying(membership -> assertThat(membership.role()).isEqualTo("owner"));
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** One read. Callers type the lambda's handle so that {@code assertThat} can pick its overload. */
    private <T> T read(HandleCallback<T, RuntimeException> work) {
        return database.read(work);
    }

    /** One write transaction, typed like {@link #read}. */
    private <T> T write(HandleCallback<T, RuntimeException> work) {
        return database.write(work);
    }

    private static Instant at(int seconds) {
        return T0.plusSeconds(seconds);
    }

    private static UserRow newUser(String username, Instant createdAt) {
        return new UserRow(
                Ids.newId("u"), username, username + "@example.com", "hash-of-" + username, false, null, createdAt);
    }

    private UserRow insertUser(String username, Instant createdAt) {
        UserRow user = newUser(username, createdAt);
        database.writeVoid(handle -> handle.attach(UserStore.class).insert(user));
        return user;
    }

    private UserRow insertUser(String id, String username, Instant createdAt) {
        UserRow user = new UserRow(id, username, username + "@example.com", "hash", false, null, createdAt);
        database.writeVoid(handle -> handle.attach(UserStore.class).insert(user));
        return user;
    }

    private OrganizationRow insertOrganization(
            String id, String name, boolean personal, UserRow creator, Instant createdAt) {
        OrganizationRow organization = new OrganizationRow(id, name, personal, creator.id(), createdAt);
        database.writeVoid(handle -> handle.attach(OrganizationStore.class).insert(organization));
        return organization;
    }

    private void addMember(OrganizationRow organization, UserRow user, String role, Instant at) {
        database.writeVoid(
                handle -> handle.attach(OrganizationStore.class).addMember(organization.id(), user.id(), role, at));
    }

    private ApiKeyRow insertKey(UserRow user, String name, String hash, Instant createdAt) {
        ApiKeyRow key =
                new ApiKeyRow(Ids.newId("k"), user.id(), name, "ty_abcd", "wxyz", hash, createdAt, null, null, null);
        database.writeVoid(handle -> handle.attach(ApiKeyStore.class).insert(key));
        return key;
    }

    private RefreshTokenRow insertRefreshToken(UserRow user, String familyId, String hash, Instant createdAt) {
        RefreshTokenRow token = new RefreshTokenRow(
                Ids.newId("r"), user.id(), familyId, hash, createdAt, createdAt.plusSeconds(3600), null, null);
        database.writeVoid(handle -> handle.attach(RefreshTokenStore.class).insert(token));
        return token;
    }

    private String insertProject(OrganizationRow organization, String name, UserRow creator, Instant createdAt) {
        return insertProject(organization, name, "", creator, createdAt);
    }

    private String insertProject(
            OrganizationRow organization, String name, String description, UserRow creator, Instant createdAt) {
        String id = Ids.newId("p");
        database.writeVoid(handle -> handle.attach(ProjectStore.class)
                .insert(id, organization.id(), name, description, creator.id(), createdAt));
        return id;
    }

    private List<String> listVisible(UserRow user, String organizationId, int skip, int take) {
        return database
                .read(handle -> handle.attach(ProjectStore.class).listVisible(user.id(), organizationId, skip, take))
                .stream()
                .map(ProjectRow::id)
                .toList();
    }

    private long countVisible(UserRow user, String organizationId) {
        return read((Handle handle) -> handle.attach(ProjectStore.class).countVisible(user.id(), organizationId));
    }
}
