package dev.trainyard.server.http;

import dev.trainyard.api.Health;
import dev.trainyard.server.common.ErrorCode;
import dev.trainyard.server.common.TrainyardException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Liveness, readiness and Prometheus metrics. */
public final class SystemRoutes {
    private static final String TAG = "System";

    private final BooleanSupplier databaseReachable;
    private final PrometheusMeterRegistry prometheus;

    public SystemRoutes(BooleanSupplier databaseReachable, PrometheusMeterRegistry prometheus) {
        this.databaseReachable = databaseReachable;
        this.prometheus = prometheus;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/healthz")
                        .access(Access.PUBLIC)
                        .tag(TAG)
                        .summary("Liveness: the server answers")
                        .returns(200, Health.class)
                        .handle(call -> call.ok(new Health("ok", null))),
                Route.get("/readyz")
                        .access(Access.PUBLIC)
                        .tag(TAG)
                        .summary("Readiness: the database answers")
                        .returns(200, Health.class)
                        .errors(503)
                        .handle(call -> {
                            if (!databaseReachable.getAsBoolean()) {
                                throw TrainyardException.of(ErrorCode.UNAVAILABLE, "the database does not answer");
                            }
                            call.ok(new Health("ok", "ok"));
                        }),
                Route.get("/metrics")
                        .access(Access.PUBLIC)
                        .tag(TAG)
                        .summary("Prometheus metrics: requests by route and status, JVM")
                        .returns(200, String.class, "text/plain; version=0.0.4")
                        .handle(call -> call.context()
                                .contentType("text/plain; version=0.0.4; charset=utf-8")
                                .result(prometheus.scrape())));
    }
}
