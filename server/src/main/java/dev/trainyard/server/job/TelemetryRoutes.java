package dev.trainyard.server.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.api.JobMetricNames;
import dev.trainyard.api.JobProgress;
import dev.trainyard.api.MetricInput;
import dev.trainyard.api.MetricSeries;
import dev.trainyard.api.ProgressUpdate;
import dev.trainyard.server.common.ErrorCode;
import dev.trainyard.server.common.TrainyardException;
import dev.trainyard.server.http.Access;
import dev.trainyard.server.http.Call;
import dev.trainyard.server.http.Route;
import dev.trainyard.server.telemetry.JobTelemetry;
import dev.trainyard.server.telemetry.MetricPoint;
import dev.trainyard.server.telemetry.MetricSeriesStore;
import dev.trainyard.server.telemetry.ProgressRules;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Progress and metrics: jobs report them (with their {@code TRAINYARD_JOB_TOKEN}, or a member
 * reports for them), users read them, on the seed clouds' paths.
 */
public final class TelemetryRoutes {
    private static final String TAG = "Telemetry";
    static final int MAX_POINTS_PER_BATCH = 1_000;
    static final int MAX_BATCH_BYTES = 1024 * 1024;
    private static final int DEFAULT_MAX_POINTS = 1_000;
    private static final int MAX_MAX_POINTS = 10_000;
    private static final int FOLLOW_PAGE = 1_000;
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    private static final Duration ENDED_POLL = Duration.ofMillis(500);

    private final JobService jobs;
    private final JobTelemetry telemetry;
    private final ObjectMapper mapper;

    public TelemetryRoutes(JobService jobs, JobTelemetry telemetry, ObjectMapper mapper) {
        this.jobs = jobs;
        this.telemetry = telemetry;
        this.mapper = mapper;
    }

    public List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        routes.add(Route.post("/api/jobs/{jobId}/progress")
                .tag(TAG)
                .access(Access.JOB)
                .summary("Report a job's progress (from inside the job, with TRAINYARD_JOB_TOKEN)")
                .description("Give percent, or step and total_steps, and/or epoch and total_epochs, and optionally a "
                        + "message; fields left out keep their last value. The same as printing "
                        + "'::trainyard progress step=40 total_steps=100' on stdout. A job token may only report on "
                        + "its own job (403 otherwise) and stops working when the job ends (401).")
                .body(ProgressUpdate.class)
                .returns(200, JobProgress.class)
                .errors(400, 403, 404, 409)
                .handle(call -> {
                    JobRow job = jobs.reportable(call.principal(), call.path("jobId"));
                    requireRunning(job);
                    ProgressUpdate update = call.body(ProgressUpdate.class);
                    String problem = ProgressRules.problem(update);
                    if (problem != null) {
                        int colon = problem.indexOf(':');
                        throw TrainyardException.invalid(problem.substring(0, colon), problem.substring(colon + 2));
                    }
                    telemetry.reportProgress(job.id(), update, Instant.now());
                    call.ok(telemetry.progressView(job.id(), job.jobState()));
                }));
        routes.add(Route.get("/api/jobs/{jobId}/progress")
                .tag(TAG)
                .summary("How far a job is: percent, step, epoch, message and an estimate of the time left")
                .returns(200, JobProgress.class)
                .errors(404)
                .handle(call -> {
                    JobRow job = jobs.visibleRow(call.principal(), call.path("jobId"));
                    call.ok(telemetry.progressView(job.id(), job.jobState()));
                }));
        routes.add(Route.post("/api/jobs/{jobId}/metrics")
                .tag(TAG)
                .access(Access.JOB)
                .summary("Report metric points (from inside the job, with TRAINYARD_JOB_TOKEN)")
                .description("The body is a JSON array of {name, value, step?, time?}: at most "
                        + MAX_POINTS_PER_BATCH + " points and 1 MB a request (413 beyond). Names are 1 to 100 "
                        + "letters, digits, '_', '.', ':' or '-'; values are finite numbers; a point without a "
                        + "time is stamped with the server's. The same as printing '::trainyard metric loss=0.31 "
                        + "step=40' on stdout. Nothing is stored unless every point is valid.")
                .body(MetricInput[].class)
                .returns(200, JobMetricNames.class)
                .errors(400, 403, 404, 409, 413)
                .handle(this::appendMetrics));
        routes.add(Route.get("/api/jobs/{jobId}/metrics")
                .tag(TAG)
                .summary("The names of a job's metrics: sampled system metrics and the job's own")
                .returns(200, JobMetricNames.class)
                .errors(404)
                .handle(call -> {
                    JobRow job = jobs.visibleRow(call.principal(), call.path("jobId"));
                    call.ok(new JobMetricNames(job.id(), names(job.id())));
                }));
        routes.add(seriesRoute(
                Route.get("/api/jobs/{jobId}/metrics/{name}"),
                "A job's metric series",
                call -> call.path("jobId"),
                call -> call.path("name")));
        routes.add(seriesRoute(
                Route.get("/api/metrics/{name}")
                        .query("job_id", String.class, "The job whose series to read (required)."),
                "A job's metric series (the hosted cloud's path: job_id in the query)",
                call -> call.query("job_id").orElseThrow(() -> TrainyardException.invalid("job_id", "is required")),
                call -> call.path("name")));
        return routes;
    }

    private Route seriesRoute(
            Route.Builder builder,
            String summary,
            java.util.function.Function<Call, String> jobId,
            java.util.function.Function<Call, String> name) {
        return builder.tag(TAG)
                .summary(summary)
                .description("System metrics the server samples while the job runs: cpu (percent of one core, "
                        + "summed over the job's processes), memory (resident bytes), disk (bytes of the working "
                        + "folder), disk_read_bytes and disk_write_bytes (storage I/O of the job's processes so far), "
                        + "gpu_utilization (percent, averaged over the job's GPUs) and gpu_memory (bytes), the GPU "
                        + "ones only where nvidia-smi can read the job's GPUs. Network traffic cannot be told apart "
                        + "per job on a shared host and is not measured. Plus any metric the job reports. "
                        + "since: only points measured at or after it (ISO-8601). max_points (default 1000, at most "
                        + "10000): longer series are downsampled by time buckets keeping each bucket's lowest and "
                        + "highest point. follow=true streams every point from the start (or since) as server-sent "
                        + "'point' events until the job has ended, then an 'end' event.")
                .query("since", Instant.class, "Only points measured at or after this time (ISO-8601).")
                .query("max_points", Integer.class, "Most points to return (default 1000, at most 10000).")
                .query("follow", Boolean.class, "Stream new points as server-sent events until the job ends.")
                .returns(200, MetricSeries.class)
                .errors(400, 404)
                .handle(call -> series(call, jobId.apply(call), name.apply(call)));
    }

    private void appendMetrics(Call call) {
        JobRow job = jobs.reportable(call.principal(), call.path("jobId"));
        requireRunning(job);
        int size = call.context().bodyAsBytes().length;
        if (size > MAX_BATCH_BYTES) {
            throw TrainyardException.of(
                    ErrorCode.TOO_LARGE, "a metrics batch may be at most 1 MB, got " + size + " bytes");
        }
        MetricInput[] batch = call.body(MetricInput[].class);
        if (batch.length > MAX_POINTS_PER_BATCH) {
            throw TrainyardException.of(
                    ErrorCode.TOO_LARGE,
                    "a metrics batch may hold at most " + MAX_POINTS_PER_BATCH + " points, got " + batch.length);
        }
        Instant now = Instant.now();
        List<MetricPoint> points = new ArrayList<>(batch.length);
        for (int i = 0; i < batch.length; i++) {
            MetricInput input = batch[i];
            String field = "[" + i + "]";
            if (input == null) {
                throw TrainyardException.invalid(field, "must be an object {name, value, step?, time?}");
            }
            if (!MetricSeriesStore.isValidName(input.name())) {
                throw TrainyardException.invalid(
                        field + ".name", "must be 1 to 100 letters, digits, '_', '.', ':' or '-'");
            }
            if (input.value() == null || !Double.isFinite(input.value())) {
                throw TrainyardException.invalid(field + ".value", "must be a finite number");
            }
            if (input.step() != null && input.step() < 0) {
                throw TrainyardException.invalid(field + ".step", "must be 0 or more");
            }
            points.add(new MetricPoint(
                    input.name(), input.value(), input.step(), input.time() == null ? now : input.time()));
        }
        try {
            telemetry.appendMetrics(job.id(), points);
        } catch (IllegalArgumentException e) {
            throw TrainyardException.invalid("time", "is out of the range that can be stored");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        call.ok(new JobMetricNames(job.id(), names(job.id())));
    }

    private void series(Call call, String jobId, String name) throws Exception {
        JobRow job = jobs.visibleRow(call.principal(), jobId);
        if (!MetricSeriesStore.isValidName(name)) {
            throw TrainyardException.notFound("metric", name);
        }
        Instant since = call.query("since").map(TelemetryRoutes::instant).orElse(null);
        int maxPoints = call.queryInt("max_points", "limit").orElse(DEFAULT_MAX_POINTS);
        if (maxPoints < 2 || maxPoints > MAX_MAX_POINTS) {
            throw TrainyardException.invalid("max_points", "must be between 2 and " + MAX_MAX_POINTS);
        }
        Path folder = telemetry.folder(job.id());
        if (call.query("follow").map(Boolean::parseBoolean).orElse(false)) {
            follow(call, job.id(), name, folder, since);
            return;
        }
        MetricSeriesStore.Series series = telemetry.metrics().read(folder, name, since, maxPoints);
        call.ok(new MetricSeries(
                job.id(),
                name,
                series.points().stream().map(TelemetryRoutes::toApi).toList(),
                series.totalPoints(),
                series.downsampled()));
    }

    /** Server-sent events: every point in append order (from since, if given), then 'end' once the job ended. */
    private void follow(Call call, String jobId, String name, Path folder, Instant since) throws Exception {
        OutputStream out = call.eventStream("following metric " + name);
        MetricSeriesStore store = telemetry.metrics();
        long next = 0;
        while (true) {
            boolean ended =
                    jobs.row(jobId).map(row -> row.jobState().isTerminal()).orElse(true);
            List<MetricPoint> page = store.readFrom(folder, name, next, FOLLOW_PAGE);
            for (MetricPoint point : page) {
                if (since == null || !point.time().isBefore(since)) {
                    out.write(("event: point\nid: " + next + "\ndata: ").getBytes(StandardCharsets.UTF_8));
                    out.write(mapper.writeValueAsBytes(toApi(point)));
                    out.write("\n\n".getBytes(StandardCharsets.UTF_8));
                }
                next++;
            }
            out.flush();
            if (page.isEmpty()) {
                if (ended) {
                    out.write(("event: end\ndata: {\"points\":" + next + "}\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    return;
                }
                // Woken by new points; while none come, look at the job's state now and then.
                if (!store.awaitPoints(folder, name, next, ENDED_POLL)) {
                    keepAlive(out, call);
                }
            }
        }
    }

    private static void keepAlive(OutputStream out, Call call) throws IOException {
        Long last = call.context().attribute("trainyard.keepAlive");
        long now = System.nanoTime();
        if (last == null || now - last > KEEP_ALIVE.toNanos()) {
            out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            call.context().attribute("trainyard.keepAlive", now);
        }
    }

    private List<String> names(String jobId) {
        try {
            return telemetry.metricNames(jobId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reports are taken while the job is active; an ended job's record is final (409). */
    private static void requireRunning(JobRow job) {
        if (job.jobState().isTerminal()) {
            throw TrainyardException.of(
                    ErrorCode.CONFLICT, "job " + job.id() + " has ended (" + job.jobState() + "); its record is final");
        }
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw TrainyardException.invalid("since", "must be an ISO-8601 time such as 2026-11-23T10:00:00Z");
        }
    }

    private static MetricSeries.Point toApi(MetricPoint point) {
        return new MetricSeries.Point(point.time(), point.value(), point.step());
    }
}
