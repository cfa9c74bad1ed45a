package dev.trainyard.server.credit;

import dev.trainyard.api.CreditBalance;
import dev.trainyard.api.CreditCheck;
import dev.trainyard.api.CreditGrantRequest;
import dev.trainyard.api.CreditTransaction;
import dev.trainyard.api.LedgerReport;
import dev.trainyard.api.Page;
import dev.trainyard.api.PriceListView;
import dev.trainyard.api.Problem.FieldError;
import dev.trainyard.server.common.Ids;
import dev.trainyard.server.common.PageRequest;
import dev.trainyard.server.common.Principal;
import dev.trainyard.server.common.TrainyardException;
import dev.trainyard.server.org.Memberships;
import dev.trainyard.server.org.OrganizationStore;
import dev.trainyard.server.store.Database;
import dev.trainyard.server.user.UserStore;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;

/** Balances, transactions, affordability checks, prices, grants and the ledger check. */
public final class CreditService {
    public static final String CURRENCY = "credits";
    private static final Set<String> TYPES = Set.of(Ledger.GRANT, Ledger.USAGE, Ledger.REFUND, Ledger.ADJUSTMENT);

    private final Database database;
    private final CreditPolicy policy;
    private final Clock clock;

    public CreditService(Database database, CreditPolicy policy, Clock clock) {
        this.database = database;
        this.policy = policy;
        this.clock = clock;
    }

    public CreditBalance balance(Principal caller, String organization) {
        return database.write(handle -> {
            String org = organizationOf(handle, caller, organization);
            return toBalance(org, policy.ledger().account(handle, org, clock.instant()));
        });
    }

    public Page<CreditTransaction> transactions(
            Principal caller, String organization, String type, String jobId, PageRequest page) {
        if (type != null && !TYPES.contains(type)) {
            throw TrainyardException.invalid(
                    "type",
                    "must be one of "
                            + new TreeMap<>(Map.of("grant", 0, "usage", 0, "refund", 0, "adjustment", 0)).keySet());
        }
        return database.write(handle -> {
            String org = organizationOf(handle, caller, organization);
            policy.ledger().account(handle, org, clock.instant());
            LedgerStore store = handle.attach(LedgerStore.class);
            List<CreditTransaction> items = store.list(org, type, jobId, page.skip(), page.take()).stream()
                    .map(CreditService::toApi)
                    .toList();
            return new Page<>(items, store.count(org, type, jobId), page.skip(), page.take());
        });
    }

    /**
     * Whether the organization can afford {@code amount} credits, or the resources for {@code hours}
     * (priced like a job); 400 when neither is given.
     */
    public CreditCheck sufficient(
            Principal caller,
            String organization,
            BigDecimal amount,
            String gpuType,
            Integer gpus,
            Integer cpuCores,
            BigDecimal memoryGb,
            BigDecimal hours) {
        long required = required(amount, gpuType, gpus, cpuCores, memoryGb, hours);
        return database.write(handle -> {
            String org = organizationOf(handle, caller, organization);
            LedgerStore.AccountRow account = policy.ledger().account(handle, org, clock.instant());
            long available = account.balance() - account.reserved();
            return new CreditCheck(available >= required, Money.credits(available), Money.credits(required), org);
        });
    }

    public PriceListView prices() {
        PriceList prices = policy.prices();
        Map<String, BigDecimal> gpus = new TreeMap<>();
        prices.gpuHour().forEach((type, micros) -> gpus.put(type, Money.credits(micros)));
        return new PriceListView(
                CURRENCY,
                gpus,
                Money.credits(prices.otherGpuHour()),
                Money.credits(prices.cpuCoreHour()),
                Money.credits(prices.memoryGbHour()));
    }

    /** An administrator's grant: a positive amount to an existing organization, with a reason. */
    public CreditTransaction grant(Principal admin, CreditGrantRequest request) {
        List<FieldError> errors = new ArrayList<>();
        String org =
                request.organization() == null ? null : request.organization().trim();
        if (org == null || org.isEmpty()) {
            errors.add(new FieldError("organization", "is required"));
        }
        long micros = 0;
        if (request.amount() == null) {
            errors.add(new FieldError("amount", "is required"));
        } else {
            try {
                micros = Money.micros(request.amount());
                if (micros <= 0) {
                    errors.add(new FieldError("amount", "must be more than 0"));
                }
            } catch (ArithmeticException e) {
                errors.add(new FieldError("amount", "must have at most 6 decimal places and fit the ledger"));
            }
        }
        String reason = request.reason() == null ? "" : request.reason().trim();
        if (reason.isEmpty() || reason.length() > 500) {
            errors.add(new FieldError("reason", "is required, at most 500 characters"));
        }
        if (!errors.isEmpty()) {
            throw TrainyardException.invalid(errors);
        }
        long amount = micros;
        return database.write(handle -> {
            if (!Ids.looksLike("o", org)
                    || handle.attach(OrganizationStore.class).findById(org).isEmpty()) {
                throw TrainyardException.notFound("organization", org);
            }
            Instant now = clock.instant();
            Ledger ledger = policy.ledger();
            ledger.account(handle, org, now);
            ledger.post(handle, org, Ledger.GRANT, amount, null, reason, admin.userId(), now);
            LedgerStore store = handle.attach(LedgerStore.class);
            return toApi(store.list(org, null, null, 0, 1).getFirst());
        });
    }

    /** Recomputes every balance from its transactions. */
    public LedgerReport verify() {
        return database.read(handle -> {
            List<LedgerStore.Difference> sums = handle.attach(LedgerStore.class).sums();
            List<LedgerReport.Difference> differences = sums.stream()
                    .filter(row -> row.balance() != row.sum())
                    .map(row -> new LedgerReport.Difference(
                            row.organizationId(), Money.credits(row.balance()), Money.credits(row.sum())))
                    .toList();
            return new LedgerReport(differences.isEmpty(), sums.size(), differences);
        });
    }

    private long required(
            BigDecimal amount, String gpuType, Integer gpus, Integer cpuCores, BigDecimal memoryGb, BigDecimal hours) {
        try {
            if (amount != null) {
                if (amount.signum() < 0) {
                    throw TrainyardException.invalid("amount", "must be 0 or more");
                }
                return Money.micros(amount);
            }
            if (hours == null) {
                throw TrainyardException.invalid(
                        "amount", "give amount, or hours with the job's gpu_type, gpus, cpu_cores and memory_gb");
            }
            if (hours.signum() < 0
                    || (gpus != null && gpus < 0)
                    || (cpuCores != null && cpuCores < 0)
                    || (memoryGb != null && memoryGb.signum() < 0)) {
                throw TrainyardException.invalid("hours", "hours and resources must be 0 or more");
            }
            int gpuCount = gpus != null ? gpus : gpuType != null ? 1 : 0;
            long memoryMb = memoryGb == null
                    ? 1024
                    : memoryGb.multiply(BigDecimal.valueOf(1024))
                            .setScale(0, java.math.RoundingMode.CEILING)
                            .longValueExact();
            long perHour = policy.costPerHour(gpuType, gpuCount, cpuCores == null ? 1 : cpuCores, memoryMb);
            return Money.costOf(
                    perHour, hours.multiply(BigDecimal.valueOf(3_600_000L)).longValueExact());
        } catch (ArithmeticException e) {
            throw TrainyardException.invalid("amount", "is out of range or has more than 6 decimal places");
        }
    }

    /** The organization asked for (one the caller is in, else 404), or the caller's own. */
    private static String organizationOf(Handle handle, Principal caller, String organization) {
        String org = organization == null || organization.isBlank()
                ? handle.attach(UserStore.class)
                        .findById(caller.userId())
                        .orElseThrow(() -> TrainyardException.unauthenticated("the caller no longer exists"))
                        .personalOrgId()
                : organization.trim();
        Memberships.roleIn(handle, org, caller);
        return org;
    }

    private static CreditBalance toBalance(String org, LedgerStore.AccountRow account) {
        return new CreditBalance(
                org,
                Money.credits(account.balance()),
                CURRENCY,
                Money.credits(account.reserved()),
                Money.credits(account.balance() - account.reserved()));
    }

    private static CreditTransaction toApi(LedgerStore.TransactionRow row) {
        return new CreditTransaction(
                row.id(),
                row.organizationId(),
                row.type(),
                Money.credits(row.amount()),
                Money.credits(row.balanceAfter()),
                row.jobId(),
                row.reason(),
                row.createdBy(),
                row.createdAt());
    }
}
