package dev.trainyard.server.credit;

import dev.trainyard.api.CreditBalance;
import dev.trainyard.api.CreditCheck;
import dev.trainyard.api.CreditGrantRequest;
import dev.trainyard.api.CreditTransaction;
import dev.trainyard.api.LedgerReport;
import dev.trainyard.api.PriceListView;
import dev.trainyard.server.common.TrainyardException;
import dev.trainyard.server.http.Access;
import dev.trainyard.server.http.Call;
import dev.trainyard.server.http.Route;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** Credits on the hosted cloud's paths, and the administrator's grants and ledger check. */
public final class CreditRoutes {
    private static final String TAG = "Credits";

    private final CreditService credits;

    public CreditRoutes(CreditService credits) {
        this.credits = credits;
    }

    public List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        routes.add(Route.get("/api/credits/balance")
                .tag(TAG)
                .summary("Your organization's credits: balance, what running and queued jobs hold, what is available")
                .query("organization", String.class, "Another organization you belong to (default: your own).")
                .returns(200, CreditBalance.class)
                .errors(404)
                .handle(call -> call.ok(credits.balance(call.principal(), organization(call)))));
        routes.add(Route.get("/api/credits/transactions")
                .tag(TAG)
                .summary("Credit transactions, newest first: grants, usage, refunds, adjustments")
                .paged()
                .query("organization", String.class, "Another organization you belong to (default: your own).")
                .query("type", String.class, "Only grant, usage, refund or adjustment.")
                .query("job", String.class, "Only this job's entries.")
                .returns(200, Route.pageOf(CreditTransaction.class))
                .errors(400, 404)
                .handle(call -> call.ok(credits.transactions(
                        call.principal(),
                        organization(call),
                        call.query("type").orElse(null),
                        call.query("job", "job_id").orElse(null),
                        call.page()))));
        routes.add(Route.get("/api/credits/balance/sufficient")
                .tag(TAG)
                .summary("Whether your organization can afford an amount, or a job's resources for some hours")
                .description("Give amount (credits), or hours with gpu_type, gpus, cpu_cores and memory_gb "
                        + "(priced like a job: 1 core and 1 GB when left out). balance is what is available now "
                        + "(the balance less what jobs hold).")
                .query("organization", String.class, "Another organization you belong to (default: your own).")
                .query("amount", BigDecimal.class, "Credits to check.")
                .query("gpu_type", String.class, "GPU type of the job to price.")
                .query("gpus", Integer.class, "GPUs of the job to price.")
                .query("cpu_cores", Integer.class, "CPU cores of the job to price.")
                .query("memory_gb", BigDecimal.class, "Memory of the job to price, in GB.")
                .query("hours", BigDecimal.class, "Hours the job would run.")
                .returns(200, CreditCheck.class)
                .errors(400, 404)
                .handle(call -> call.ok(credits.sufficient(
                        call.principal(),
                        organization(call),
                        decimal(call, "amount"),
                        call.query("gpu_type").orElse(null),
                        call.queryInt("gpus", "gpus").orElse(null),
                        call.queryInt("cpu_cores", "cpu_cores").orElse(null),
                        decimal(call, "memory_gb"),
                        decimal(call, "hours")))));
        routes.add(Route.get("/api/credits/prices")
                .tag(TAG)
                .summary("The price list, in credits per hour: per GPU by type, per CPU core, per GB of memory")
                .returns(200, PriceListView.class)
                .handle(call -> call.ok(credits.prices())));
        routes.add(Route.post("/api/admin/credits/grants")
                .tag(TAG)
                .access(Access.ADMIN)
                .summary("Grant credits to an organization (administrators)")
                .body(CreditGrantRequest.class)
                .returns(201, CreditTransaction.class)
                .errors(400, 403, 404)
                .handle(call -> call.json(201, credits.grant(call.principal(), call.body(CreditGrantRequest.class)))));
        routes.add(Route.get("/api/admin/ledger/verify")
                .tag(TAG)
                .access(Access.ADMIN)
                .summary("Recompute every balance from its transactions and report any difference (administrators)")
                .returns(200, LedgerReport.class)
                .errors(403)
                .handle(call -> call.ok(credits.verify())));
        return routes;
    }

    private static String organization(Call call) {
        return call.query("organization", "org").orElse(null);
    }

    private static BigDecimal decimal(Call call, String name) {
        return call.query(name)
                .map(value -> {
                    try {
                        return new BigDecimal(value.trim());
                    } catch (NumberFormatException e) {
                        throw TrainyardException.invalid(name, "must be a number, got '" + value + "'");
                    }
                })
                .orElse(null);
    }
}
