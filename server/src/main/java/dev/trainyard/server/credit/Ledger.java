package dev.trainyard.server.credit;

import dev.trainyard.server.common.ErrorCode;
import dev.trainyard.server.common.Ids;
import dev.trainyard.server.common.TrainyardException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * The only code that moves credits. Every movement is a transaction row with a type, a reason and
 * a reference (job, grant), written in the same database transaction as the balance it changes,
 * so an account's balance always equals the sum of its transactions. Methods take the caller's
 * {@link Handle} so that a job and the credits it holds are written together.
 *
 * <p>Holds ({@code reserved}) are what queued and running jobs keep back for their next metering
 * period: a submission holds its first period or is refused, so concurrent submissions never
 * promise more than the balance. Holds are not transactions; they do not change the balance.
 */
public final class Ledger {
    public static final String GRANT = "grant";
    public static final String USAGE = "usage";
    public static final String REFUND = "refund";
    public static final String ADJUSTMENT = "adjustment";

    private final long welcomeMicros;

    /** @param welcomeMicros credits an organization's account opens with */
    public Ledger(long welcomeMicros) {
        this.welcomeMicros = welcomeMicros;
    }

    /**
     * The organization's account, opened with the welcome credits the first time it is used
     * (organizations made before credits existed get theirs then too).
     */
    public LedgerStore.AccountRow account(Handle handle, String organizationId, Instant now) {
        LedgerStore store = handle.attach(LedgerStore.class);
        if (store.open(organizationId, now) == 1 && welcomeMicros > 0) {
            post(handle, organizationId, GRANT, welcomeMicros, null, "welcome credits", null, now);
        }
        return store.account(organizationId).orElseThrow();
    }

    /** The account as it is, without opening it; null when it was never used. */
    public LedgerStore.AccountRow peek(Handle handle, String organizationId) {
        return handle.attach(LedgerStore.class).account(organizationId).orElse(null);
    }

    /**
     * Holds {@code amount} for a job about to be created, or throws 402 {@code insufficient_credits}
     * with the required and available amounts (the caller's transaction then rolls back).
     */
    public void hold(Handle handle, String organizationId, long amount, Instant now) {
        LedgerStore.AccountRow account = account(handle, organizationId, now);
        if (handle.attach(LedgerStore.class).hold(organizationId, amount) == 1) {
            return;
        }
        long available = account.balance() - account.reserved();
        Map<String, Object> amounts = new LinkedHashMap<>();
        amounts.put("required", Money.credits(amount));
        amounts.put("available", Money.credits(available));
        throw TrainyardException.of(
                        ErrorCode.INSUFFICIENT_CREDITS,
                        "this job needs " + Money.credits(amount) + " credits for its first metering period; "
                                + Money.credits(available) + " are available")
                .with(amounts);
    }

    public void release(Handle handle, String organizationId, long amount) {
        if (amount > 0) {
            handle.attach(LedgerStore.class).release(organizationId, amount);
        }
    }

    /** Adds {@code amount} (negative for a debit) and records it; returns the balance after. */
    public long post(
            Handle handle,
            String organizationId,
            String type,
            long amount,
            String jobId,
            String reason,
            String createdBy,
            Instant now) {
        LedgerStore store = handle.attach(LedgerStore.class);
        if (store.add(organizationId, amount) != 1) {
            throw new IllegalStateException("organization " + organizationId + " has no credit account");
        }
        LedgerStore.AccountRow after = store.account(organizationId).orElseThrow();
        store.insert(new LedgerStore.TransactionRow(
                Ids.newId("c"),
                organizationId,
                after.version(),
                type,
                amount,
                after.balance(),
                jobId,
                reason,
                createdBy,
                now));
        return after.balance();
    }
}
