package dev.trainyard.server.job;

import dev.trainyard.api.JobArtifact;
import dev.trainyard.server.blob.BlobStore;
import dev.trainyard.server.common.ErrorCode;
import dev.trainyard.server.common.TrainyardException;
import dev.trainyard.server.http.Access;
import dev.trainyard.server.http.Call;
import dev.trainyard.server.http.FileDownload;
import dev.trainyard.server.http.Route;
import dev.trainyard.server.store.Database;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Files a job uploads through its reporting channel ({@code TRAINYARD_JOB_TOKEN}): model exports,
 * checkpoints, reports. Stored by content in the blob store, listed and downloaded by members.
 */
public final class ArtifactRoutes {
    private static final String TAG = "Telemetry";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,199}");

    private final JobService jobs;
    private final Database database;
    private final BlobStore blobs;
    private final Clock clock;
    private final long maxBytes;

    public ArtifactRoutes(JobService jobs, Database database, BlobStore blobs, Clock clock, long maxBytes) {
        this.jobs = jobs;
        this.database = database;
        this.blobs = blobs;
        this.clock = clock;
        this.maxBytes = maxBytes;
    }

    public List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        routes.add(Route.post("/api/jobs/{jobId}/artifacts")
                .tag(TAG)
                .access(Access.JOB)
                .summary("Upload a file from a running job (with TRAINYARD_JOB_TOKEN): the body is the file")
                .description("?name= is a file name (letters, digits, '.', '_', '-'; at most 200). Each name once "
                        + "per job (409 again). Streamed and checksummed like datasets; an interrupted upload "
                        + "leaves nothing. Only while the job runs (409 once it ended).")
                .query("name", String.class, "The artifact's file name (required).")
                .returns(201, JobArtifact.class)
                .errors(400, 403, 404, 409, 413)
                .handle(this::upload));
        routes.add(Route.get("/api/jobs/{jobId}/artifacts")
                .tag(TAG)
                .summary("The files a job uploaded")
                .returns(200, JobArtifact[].class)
                .errors(404)
                .handle(call -> {
                    JobRow job = jobs.visibleRow(call.principal(), call.path("jobId"));
                    call.ok(database
                            .read(handle -> handle.attach(ArtifactStore.class).list(job.id()))
                            .stream()
                            .map(ArtifactRoutes::toApi)
                            .toList());
                }));
        routes.add(Route.get("/api/jobs/{jobId}/artifacts/{name}")
                .tag(TAG)
                .summary("Download a file a job uploaded (Range requests answer 206)")
                .returns(200, byte[].class, "application/octet-stream")
                .errors(404, 416)
                .handle(call -> {
                    JobRow job = jobs.visibleRow(call.principal(), call.path("jobId"));
                    String name = call.path("name");
                    ArtifactStore.ArtifactRow artifact = database.read(
                                    handle -> handle.attach(ArtifactStore.class).find(job.id(), name))
                            .orElseThrow(() -> TrainyardException.notFound("artifact", name));
                    call.context()
                            .header("Content-Disposition", "attachment; filename=\"" + artifact.name() + "\"")
                            .header("ETag", "\"" + artifact.sha256() + "\"");
                    FileDownload.send(
                            call, blobs.path(artifact.sha256()), artifact.sizeBytes(), "application/octet-stream");
                }));
        return routes;
    }

    private void upload(Call call) {
        JobRow job = jobs.reportable(call.principal(), call.path("jobId"));
        if (job.jobState().isTerminal()) {
            throw TrainyardException.of(
                    ErrorCode.CONFLICT, "job " + job.id() + " has ended (" + job.jobState() + "); its record is final");
        }
        String name = call.query("name").orElse("");
        if (!NAME.matcher(name).matches()) {
            throw TrainyardException.invalid(
                    "name", "must be a file name: letters, digits, '.', '_' and '-', not starting with '.'");
        }
        if (database.read(handle -> handle.attach(ArtifactStore.class).find(job.id(), name))
                .isPresent()) {
            throw TrainyardException.conflict("job " + job.id() + " already has an artifact named " + name);
        }
        BlobStore.Stored<Void> stored =
                blobs.upload(call.context().bodyInputStream(), maxBytes, BlobStore.Scanner.none(), "an artifact");
        try {
            database.writeVoid(handle -> handle.attach(ArtifactStore.class)
                    .insert(job.id(), name, stored.sizeBytes(), stored.sha256(), clock.instant()));
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e)) {
                throw TrainyardException.conflict("job " + job.id() + " already has an artifact named " + name);
            }
            throw e;
        }
        call.json(201, new JobArtifact(job.id(), name, stored.sizeBytes(), stored.sha256(), clock.instant()));
    }

    private static JobArtifact toApi(ArtifactStore.ArtifactRow row) {
        return new JobArtifact(row.jobId(), row.name(), row.sizeBytes(), row.sha256(), row.createdAt());
    }
}
