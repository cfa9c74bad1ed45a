package dev.trainyard.server.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.api.CreateJobRequest;
import dev.trainyard.api.Job;
import dev.trainyard.api.JobLogs;
import dev.trainyard.server.common.TrainyardException;
import dev.trainyard.server.executor.Executor;
import dev.trainyard.server.http.Call;
import dev.trainyard.server.http.Route;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Jobs: submit, list, get, stop. */
public final class JobRoutes {
    private static final String TAG = "Jobs";

    private static final int DEFAULT_LOG_LIMIT = 1_000;
    private static final int MAX_LOG_LIMIT = 10_000;
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    private final JobService jobs;
    private final JobLogStore logs;
    private final Executor executor;
    private final ObjectMapper mapper;

    public JobRoutes(JobService jobs, JobLogStore logs, Executor executor, ObjectMapper mapper) {
        this.jobs = jobs;
        this.logs = logs;
        this.executor = executor;
        this.mapper = mapper;
    }

    public List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        routes.add(Route.post("/api/jobs")
                .tag(TAG)
                .summary("Submit a job")
                .description("The job is queued and started as soon as the host has room. An Idempotency-Key header "
                        + "makes retries safe: the same key and body answer the same job; the same key with "
                        + "another body is a 409. A job this server could never fit is refused with 400.")
                .body(CreateJobRequest.class)
                .returns(201, Job.class)
                .errors(400, 403, 404, 409)
                .handle(call -> {
                    JobService.Submission submission = jobs.submit(
                            call.principal(), call.body(CreateJobRequest.class), call.header("Idempotency-Key"));
                    if (submission.replayed()) {
                        call.context().header("Idempotent-Replayed", "true");
                    }
                    call.json(201, submission.job());
                }));
        routes.add(Route.get("/api/jobs")
                .tag(TAG)
                .summary("List jobs of your organizations, newest first")
                .paged()
                .query("project", String.class, "Only this project's jobs.")
                .query("org", String.class, "Only this organization's jobs (synonym: organization).")
                .query("organization", String.class, "Synonym of org.")
                .query("status", String.class, "Only jobs in this state, e.g. running or RUNNING.")
                .query("tag", String.class, "Only jobs with this tag.")
                .returns(200, Route.pageOf(Job.class))
                .errors(400, 404)
                .handle(call -> call.ok(jobs.list(
                        call.principal(),
                        call.query("org", "organization").orElse(null),
                        call.query("project").orElse(null),
                        call.query("status").orElse(null),
                        call.query("tag").orElse(null),
                        call.page()))));
        routes.add(Route.get("/api/jobs/{jobId}")
                .tag(TAG)
                .summary("Get a job, with its state changes")
                .returns(200, Job.class)
                .errors(404)
                .handle(call -> call.ok(jobs.get(call.principal(), call.path("jobId")))));
        routes.add(Route.post("/api/jobs/{jobId}/stop")
                .tag(TAG)
                .summary("Stop a job: SIGTERM to all its processes, SIGKILL after the grace period")
                .returns(200, Job.class)
                .errors(403, 404, 409)
                .handle(call -> call.ok(jobs.stop(call.principal(), call.path("jobId")))));
        routes.add(Route.get("/api/jobs/{jobId}/logs")
                .tag(TAG)
                .summary("A job's output by line: JSON pages, plain text, or followed as server-sent events")
                .description("Lines are numbered from 0 in the order the server saw them; each has its time, "
                        + "stream (stdout or stderr) and text. Page with offset and limit (default 1000, at most "
                        + "10000); next_offset is where to continue and complete says the job ended and every line "
                        + "is in. Send 'Accept: text/plain' for raw text. With follow=true the answer is a "
                        + "text/event-stream of 'line' events (JSON lines), ending with an 'end' event once the job "
                        + "has ended and its last line was sent.")
                .query("offset", Long.class, "First line to return (default 0).")
                .query("limit", Integer.class, "Most lines to return (default 1000, at most 10000).")
                .query("follow", Boolean.class, "Stream new lines as server-sent events until the job ends.")
                .returns(200, JobLogs.class)
                .errors(400, 404)
                .handle(this::logs));
        return routes;
    }

    private void logs(Call call) throws Exception {
        JobRow job = jobs.visibleRow(call.principal(), call.path("jobId"));
        long offset =
                call.query("offset").map(value -> parseLong("offset", value)).orElse(0L);
        int limit = call.queryInt("limit", "take").orElse(DEFAULT_LOG_LIMIT);
        if (offset < 0) {
            throw TrainyardException.invalid("offset", "must be 0 or more");
        }
        if (limit < 1 || limit > MAX_LOG_LIMIT) {
            throw TrainyardException.invalid("limit", "must be between 1 and " + MAX_LOG_LIMIT);
        }
        Path dir = logDir(job);
        boolean follow = call.query("follow").map(Boolean::parseBoolean).orElse(false);
        if (follow) {
            follow(call, job.id(), dir, offset);
            return;
        }
        String accept = call.header("Accept");
        if (accept != null && accept.contains("text/plain") && !accept.contains("json")) {
            call.context().status(200).contentType("text/plain; charset=utf-8");
            logs.copyText(job.id(), dir, offset, limit, call.context().outputStream());
            return;
        }
        call.ok(logs.read(job.id(), dir, job.jobState().isTerminal(), offset, limit));
    }

    /** Server-sent events: every line from {@code offset} on, then an end event once the job ended. */
    private void follow(Call call, String jobId, Path dir, long offset) throws Exception {
        OutputStream out = call.eventStream("following job logs");
        long next = offset;
        while (true) {
            JobRow now = jobs.row(jobId).orElse(null);
            Path current = dir != null ? dir : logDir(now);
            boolean ended = now == null || now.jobState().isTerminal();
            JobLogs page = logs.read(jobId, current, ended, next, MAX_LOG_LIMIT);
            for (JobLogs.Line line : page.lines()) {
                out.write(("event: line\nid: " + line.line() + "\ndata: ").getBytes(StandardCharsets.UTF_8));
                out.write(mapper.writeValueAsBytes(line));
                out.write("\n\n".getBytes(StandardCharsets.UTF_8));
            }
            next = page.nextOffset();
            // An ended job whose log is no longer indexed has nothing more to come, complete or not.
            boolean exhausted = ended && page.lines().isEmpty() && !logs.isLive(jobId);
            if (page.complete() || exhausted) {
                out.write(("event: end\ndata: {\"next_offset\":" + next + ",\"complete\":true}\n\n")
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
                return;
            }
            out.flush();
            if (page.lines().isEmpty()) {
                dir = current;
                boolean more = current == null ? waitForStart() : logs.await(jobId, current, next, KEEP_ALIVE);
                if (!more) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        }
    }

    /** Where a job's output is, or null while it has not started (or no longer exists). */
    private Path logDir(JobRow job) {
        return job == null ? null : jobs.handleOf(job).map(executor::logDir).orElse(null);
    }

    /** A queued job has no log yet: look again shortly. */
    private static boolean waitForStart() throws InterruptedException {
        Thread.sleep(200);
        return true;
    }

    private static long parseLong(String field, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw TrainyardException.invalid(field, "must be a whole number, got '" + value + "'");
        }
    }
}
