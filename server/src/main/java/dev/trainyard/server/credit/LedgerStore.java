package dev.trainyard.server.credit;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The ledger's tables: one account per organization and its transactions. */
@RegisterConstructorMapper(LedgerStore.AccountRow.class)
@RegisterConstructorMapper(LedgerStore.TransactionRow.class)
@RegisterConstructorMapper(LedgerStore.Difference.class)
public interface LedgerStore {
    /** An account: its balance, what active jobs hold of it, and how many changes it has seen. */
    record AccountRow(String organizationId, long balance, long reserved, long version) {}

    /** One movement of credits. */
    record TransactionRow(
            String id,
            String organizationId,
            long seq,
            String type,
            long amount,
            long balanceAfter,
            String jobId,
            String reason,
            String createdBy,
            Instant createdAt) {}

    /** A difference between an account's balance and the sum of its transactions. */
    record Difference(String organizationId, long balance, long sum) {}

    @SqlUpdate("INSERT INTO credit_accounts (organization_id, balance, reserved, version, created_at) "
            + "VALUES (:organizationId, 0, 0, 0, :now) ON CONFLICT (organization_id) DO NOTHING")
    int open(String organizationId, Instant now);

    @SqlQuery(
            "SELECT organization_id, balance, reserved, version FROM credit_accounts WHERE organization_id = :organizationId")
    Optional<AccountRow> account(String organizationId);

    @SqlUpdate("UPDATE credit_accounts SET balance = balance + :amount, version = version + 1 "
            + "WHERE organization_id = :organizationId")
    int add(String organizationId, long amount);

    /** Holds {@code amount} if what is not yet held covers it; 0 rows when it does not. */
    @SqlUpdate("UPDATE credit_accounts SET reserved = reserved + :amount "
            + "WHERE organization_id = :organizationId AND balance - reserved >= :amount")
    int hold(String organizationId, long amount);

    @SqlUpdate("UPDATE credit_accounts SET reserved = CASE WHEN reserved > :amount THEN reserved - :amount ELSE 0 END "
            + "WHERE organization_id = :organizationId")
    int release(String organizationId, long amount);

    @SqlUpdate(
            "INSERT INTO credit_transactions (id, organization_id, seq, type, amount, balance_after, job_id, reason, "
                    + "created_by, created_at) VALUES (:id, :organizationId, :seq, :type, :amount, :balanceAfter, :jobId, "
                    + ":reason, :createdBy, :createdAt)")
    void insert(@BindMethods TransactionRow row);

    @SqlQuery("SELECT * FROM credit_transactions WHERE organization_id = :organizationId "
            + "AND (CAST(:type AS TEXT) IS NULL OR type = :type) AND (CAST(:jobId AS TEXT) IS NULL OR job_id = :jobId) "
            + "ORDER BY seq DESC LIMIT :take OFFSET :skip")
    List<TransactionRow> list(String organizationId, String type, String jobId, int skip, int take);

    @SqlQuery("SELECT COUNT(*) FROM credit_transactions WHERE organization_id = :organizationId "
            + "AND (CAST(:type AS TEXT) IS NULL OR type = :type) AND (CAST(:jobId AS TEXT) IS NULL OR job_id = :jobId)")
    long count(String organizationId, String type, String jobId);

    @SqlQuery("SELECT a.organization_id, a.balance, COALESCE(SUM(t.amount), 0) AS sum FROM credit_accounts a "
            + "LEFT JOIN credit_transactions t ON t.organization_id = a.organization_id "
            + "GROUP BY a.organization_id, a.balance")
    List<Difference> sums();
}
