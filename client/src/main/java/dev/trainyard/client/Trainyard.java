package dev.trainyard.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.trainyard.api.ActivityEntry;
import dev.trainyard.api.AddMemberRequest;
import dev.trainyard.api.AdminStats;
import dev.trainyard.api.ApiKey;
import dev.trainyard.api.ChangeRoleRequest;
import dev.trainyard.api.CreateApiKeyRequest;
import dev.trainyard.api.CreateJobRequest;
import dev.trainyard.api.CreateModelRequest;
import dev.trainyard.api.CreateOrganizationRequest;
import dev.trainyard.api.CreateProjectRequest;
import dev.trainyard.api.CreateUserRequest;
import dev.trainyard.api.CreatedApiKey;
import dev.trainyard.api.CreatedUser;
import dev.trainyard.api.CreditBalance;
import dev.trainyard.api.CreditCheck;
import dev.trainyard.api.CreditGrantRequest;
import dev.trainyard.api.CreditTransaction;
import dev.trainyard.api.Dataset;
import dev.trainyard.api.ExportModelRequest;
import dev.trainyard.api.Job;
import dev.trainyard.api.JobArtifact;
import dev.trainyard.api.JobLogs;
import dev.trainyard.api.JobMetricNames;
import dev.trainyard.api.JobProgress;
import dev.trainyard.api.LedgerReport;
import dev.trainyard.api.LoginRequest;
import dev.trainyard.api.Me;
import dev.trainyard.api.Member;
import dev.trainyard.api.MetricInput;
import dev.trainyard.api.MetricSeries;
import dev.trainyard.api.Model;
import dev.trainyard.api.ModelExport;
import dev.trainyard.api.Organization;
import dev.trainyard.api.Page;
import dev.trainyard.api.PredictRequest;
import dev.trainyard.api.Predictions;
import dev.trainyard.api.PriceListView;
import dev.trainyard.api.ProgressUpdate;
import dev.trainyard.api.Project;
import dev.trainyard.api.RefreshRequest;
import dev.trainyard.api.TestModelRequest;
import dev.trainyard.api.TokenPair;
import dev.trainyard.api.TrainModelRequest;
import dev.trainyard.api.UpdateProjectRequest;
import dev.trainyard.api.User;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The Java client of a Trainyard server. Build one with {@link #builder()}; it is immutable and
 * safe to share between threads. With an API key it exchanges the key for a JWT itself, renews the
 * token shortly before it expires, and once more when the server answers 401.
 *
 * <pre>{@code
 * Trainyard trainyard = Trainyard.builder().baseUrl("http://localhost:8080").apiKey(key).build();
 * Project project = trainyard.createProject(new CreateProjectRequest("mnist", "digits", null));
 * }</pre>
 */
public final class Trainyard {
    private static final Duration RENEW_BEFORE_EXPIRY = Duration.ofSeconds(60);

    private final URI baseUrl;
    private final String apiKey;
    private final String fixedToken;
    private final Duration timeout;
    private final HttpClient http;
    private final ObjectMapper mapper;
    private final Clock clock;
    private volatile CachedToken cachedToken;

    private Trainyard(Builder builder) {
        this.baseUrl = builder.baseUrl;
        this.apiKey = builder.apiKey;
        this.fixedToken = builder.token;
        this.timeout = builder.timeout;
        this.clock = builder.clock;
        this.http =
                HttpClient.newBuilder().connectTimeout(builder.connectTimeout).build();
        this.mapper = JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Who the client is authenticated as. */
    public Me me() {
        return send("GET", "/api/auth/me", null, mapper.constructType(Me.class));
    }

    public Page<Project> listProjects(int skip, int take) {
        return send("GET", "/api/projects?skip=" + skip + "&take=" + take, null, pageOf(Project.class));
    }

    public Page<Project> listProjects(String organizationId, int skip, int take) {
        return send(
                "GET",
                "/api/projects?org=" + encode(organizationId) + "&skip=" + skip + "&take=" + take,
                null,
                pageOf(Project.class));
    }

    public Project createProject(CreateProjectRequest request) {
        return send("POST", "/api/projects", request, mapper.constructType(Project.class));
    }

    public Project getProject(String projectId) {
        return send("GET", "/api/projects/" + encode(projectId), null, mapper.constructType(Project.class));
    }

    public Project updateProject(String projectId, UpdateProjectRequest request) {
        return send("PATCH", "/api/projects/" + encode(projectId), request, mapper.constructType(Project.class));
    }

    public void deleteProject(String projectId) {
        send("DELETE", "/api/projects/" + encode(projectId), null, null);
    }

    /** Downloads the project's zip (manifest, models, exports) to {@code target}, streamed to disk. */
    public java.nio.file.Path downloadProject(String projectId, java.nio.file.Path target) {
        return download("/api/projects/" + encode(projectId) + "/download", target);
    }

    // ---- jobs ------------------------------------------------------------------------------------

    /** Submits a job; an idempotency key makes a retry answer the same job (null for none). */
    public Job submitJob(CreateJobRequest request, String idempotencyKey) {
        return send(
                "POST",
                "/api/jobs",
                request,
                mapper.constructType(Job.class),
                idempotencyKey == null ? Map.of() : Map.of("Idempotency-Key", idempotencyKey));
    }

    public Job getJob(String jobId) {
        return send("GET", "/api/jobs/" + encode(jobId), null, mapper.constructType(Job.class));
    }

    /** Asks a job to stop (SIGTERM, then SIGKILL after the server's grace period). */
    public Job stopJob(String jobId) {
        return send("POST", "/api/jobs/" + encode(jobId) + "/stop", null, mapper.constructType(Job.class));
    }

    /**
     * Jobs visible to the caller, newest first, fetched a page at a time as the stream is read;
     * {@code status} and {@code projectId} narrow them (null for all).
     */
    public Stream<Job> jobs(String projectId, String status) {
        StringBuilder filter = new StringBuilder();
        if (projectId != null) {
            filter.append("&project=").append(encode(projectId));
        }
        if (status != null) {
            filter.append("&status=").append(encode(status));
        }
        return pages((skip, take) ->
                send("GET", "/api/jobs?skip=" + skip + "&take=" + take + filter, null, pageOf(Job.class)));
    }

    /** A page of a job's log from line {@code offset}. */
    public JobLogs logs(String jobId, long offset, int limit) {
        return send(
                "GET",
                "/api/jobs/" + encode(jobId) + "/logs?offset=" + offset + "&limit=" + limit,
                null,
                mapper.constructType(JobLogs.class));
    }

    /**
     * Every line of a job's log from {@code offset}, as the job writes them (server-sent events);
     * the stream ends when the job has ended and its last line was read. Close it to stop early.
     */
    public Stream<JobLogs.Line> followLogs(String jobId, long offset) {
        return events("/api/jobs/" + encode(jobId) + "/logs?follow=true&offset=" + offset, "line", JobLogs.Line.class);
    }

    public JobProgress progress(String jobId) {
        return send("GET", "/api/jobs/" + encode(jobId) + "/progress", null, mapper.constructType(JobProgress.class));
    }

    /**
     * Waits until the job has ended, calling {@code onProgress} with its progress every
     * {@code pollEvery}; returns the ended job.
     */
    public Job awaitJob(String jobId, Duration pollEvery, java.util.function.Consumer<JobProgress> onProgress) {
        while (true) {
            JobProgress progress = progress(jobId);
            onProgress.accept(progress);
            if (progress.state().isTerminal()) {
                return getJob(jobId);
            }
            try {
                Thread.sleep(pollEvery);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TrainyardException("interrupted while waiting for job " + jobId, e);
            }
        }
    }

    /** A metric series of a job, downsampled to at most {@code maxPoints}. */
    public MetricSeries metric(String jobId, String name, int maxPoints) {
        return send(
                "GET",
                "/api/jobs/" + encode(jobId) + "/metrics/" + encode(name) + "?max_points=" + maxPoints,
                null,
                mapper.constructType(MetricSeries.class));
    }

    // ---- credits -------------------------------------------------------------------------------

    /** The caller's organization's credits. */
    public CreditBalance balance() {
        return send("GET", "/api/credits/balance", null, mapper.constructType(CreditBalance.class));
    }

    /** The organization's credit transactions, newest first, fetched lazily; type and job narrow them. */
    public Stream<CreditTransaction> transactions(String type, String jobId) {
        StringBuilder filter = new StringBuilder();
        if (type != null) {
            filter.append("&type=").append(encode(type));
        }
        if (jobId != null) {
            filter.append("&job=").append(encode(jobId));
        }
        return pages((skip, take) -> send(
                "GET",
                "/api/credits/transactions?skip=" + skip + "&take=" + take + filter,
                null,
                pageOf(CreditTransaction.class)));
    }

    /** Whether the organization can afford {@code amount} credits. */
    public CreditCheck sufficient(java.math.BigDecimal amount) {
        return send(
                "GET",
                "/api/credits/balance/sufficient?amount=" + amount.toPlainString(),
                null,
                mapper.constructType(CreditCheck.class));
    }

    /**
     * Whether the organization can afford a job's resources for {@code hours}, priced like a job
     * (null resources: 1 core, 1 GB, no GPU).
     */
    public CreditCheck sufficient(
            String gpuType, Integer gpus, Integer cpuCores, java.math.BigDecimal memoryGb, java.math.BigDecimal hours) {
        StringBuilder query = new StringBuilder("hours=").append(hours.toPlainString());
        if (gpuType != null) {
            query.append("&gpu_type=").append(encode(gpuType));
        }
        if (gpus != null) {
            query.append("&gpus=").append(gpus);
        }
        if (cpuCores != null) {
            query.append("&cpu_cores=").append(cpuCores);
        }
        if (memoryGb != null) {
            query.append("&memory_gb=").append(memoryGb.toPlainString());
        }
        return send("GET", "/api/credits/balance/sufficient?" + query, null, mapper.constructType(CreditCheck.class));
    }

    public PriceListView prices() {
        return send("GET", "/api/credits/prices", null, mapper.constructType(PriceListView.class));
    }

    // ---- API keys and organizations ------------------------------------------------------------

    public Stream<ApiKey> apiKeys() {
        return pages((skip, take) ->
                send("GET", "/api/api-keys?skip=" + skip + "&take=" + take, null, pageOf(ApiKey.class)));
    }

    /** Creates an API key; the key itself is in the answer and never shown again. */
    public CreatedApiKey createApiKey(CreateApiKeyRequest request) {
        return send("POST", "/api/api-keys", request, mapper.constructType(CreatedApiKey.class));
    }

    public void revokeApiKey(String keyId) {
        send("DELETE", "/api/api-keys/" + encode(keyId), null, null);
    }

    public Stream<Organization> organizations() {
        return pages((skip, take) ->
                send("GET", "/api/organizations?skip=" + skip + "&take=" + take, null, pageOf(Organization.class)));
    }

    public Organization createOrganization(CreateOrganizationRequest request) {
        return send("POST", "/api/organizations", request, mapper.constructType(Organization.class));
    }

    public Stream<Member> members(String organizationId) {
        return pages((skip, take) -> send(
                "GET",
                "/api/organizations/" + encode(organizationId) + "/members?skip=" + skip + "&take=" + take,
                null,
                pageOf(Member.class)));
    }

    public Member addMember(String organizationId, AddMemberRequest request) {
        return send(
                "POST",
                "/api/organizations/" + encode(organizationId) + "/members",
                request,
                mapper.constructType(Member.class));
    }

    // ---- datasets ------------------------------------------------------------------------------

    /** Uploads a file as the next version of dataset {@code name}, streamed from disk. */
    public Dataset uploadDataset(String projectId, String name, java.nio.file.Path file) {
        return uploadDataset(projectId, name, file, sent -> {});
    }

    /** Like {@link #uploadDataset(String, String, java.nio.file.Path)}, telling {@code sent} the bytes sent so far. */
    public Dataset uploadDataset(
            String projectId, String name, java.nio.file.Path file, java.util.function.LongConsumer sent) {
        long size;
        try {
            size = java.nio.file.Files.size(file);
        } catch (IOException e) {
            throw new TrainyardException("cannot read " + file + ": " + e.getMessage(), e);
        }
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> {
                    try {
                        return new Counting(java.nio.file.Files.newInputStream(file), sent);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }),
                size);
        return upload(
                "/api/projects/" + encode(projectId) + "/datasets?name=" + encode(name),
                body,
                name.toLowerCase(java.util.Locale.ROOT).endsWith(".csv") ? "text/csv" : "application/octet-stream",
                Dataset.class);
    }

    /** An input stream that reports how many bytes were read so far. */
    private static final class Counting extends java.io.FilterInputStream {
        private final java.util.function.LongConsumer progress;
        private long count;

        Counting(java.io.InputStream in, java.util.function.LongConsumer progress) {
            super(in);
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                progress.accept(++count);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int read = super.read(buffer, offset, length);
            if (read > 0) {
                count += read;
                progress.accept(count);
            }
            return read;
        }
    }

    public Stream<Dataset> datasets(String projectId) {
        return pages((skip, take) -> send(
                "GET",
                "/api/projects/" + encode(projectId) + "/datasets?skip=" + skip + "&take=" + take,
                null,
                pageOf(Dataset.class)));
    }

    /** Downloads a dataset version to {@code target}, streamed to disk. */
    public java.nio.file.Path downloadDataset(String projectId, String datasetId, java.nio.file.Path target) {
        return download("/api/projects/" + encode(projectId) + "/datasets/" + encode(datasetId) + "/download", target);
    }

    // ---- models --------------------------------------------------------------------------------

    public Model createModel(String projectId, CreateModelRequest request) {
        return send("POST", modelsPath(projectId), request, mapper.constructType(Model.class));
    }

    public Stream<Model> models(String projectId) {
        return pages((skip, take) ->
                send("GET", modelsPath(projectId) + "?skip=" + skip + "&take=" + take, null, pageOf(Model.class)));
    }

    public Model getModel(String projectId, String modelId) {
        return send("GET", modelPath(projectId, modelId), null, mapper.constructType(Model.class));
    }

    /** Queues training; the answer is the training job. */
    public Job trainModel(String projectId, String modelId, TrainModelRequest request) {
        return send("POST", modelPath(projectId, modelId) + "/train", request, mapper.constructType(Job.class));
    }

    public Job testModel(String projectId, String modelId, TestModelRequest request) {
        return send("POST", modelPath(projectId, modelId) + "/test", request, mapper.constructType(Job.class));
    }

    public Job exportModel(String projectId, String modelId, ExportModelRequest request) {
        return send("POST", modelPath(projectId, modelId) + "/export", request, mapper.constructType(Job.class));
    }

    public Predictions predict(String projectId, String modelId, PredictRequest request) {
        return send(
                "POST", modelPath(projectId, modelId) + "/predict", request, mapper.constructType(Predictions.class));
    }

    public java.util.List<ModelExport> exports(String projectId, String modelId) {
        return send(
                "GET",
                modelPath(projectId, modelId) + "/exports",
                null,
                mapper.getTypeFactory().constructCollectionType(java.util.List.class, ModelExport.class));
    }

    /** Downloads an export to {@code target}, streamed to disk. */
    public java.nio.file.Path downloadExport(
            String projectId, String modelId, String exportName, java.nio.file.Path target) {
        return download(modelPath(projectId, modelId) + "/exports/" + encode(exportName), target);
    }

    private static String modelPath(String projectId, String modelId) {
        return modelsPath(projectId) + "/" + encode(modelId);
    }

    private static String modelsPath(String projectId) {
        return "/api/oneai/projects/" + encode(projectId) + "/models";
    }

    // ---- the rest of the API -------------------------------------------------------------------

    /** Logs in with a username and password: an access token and a refresh token. */
    public TokenPair login(LoginRequest request) {
        return send("POST", "/api/auth/login", request, mapper.constructType(TokenPair.class));
    }

    /** Trades a refresh token for a new pair (each refresh token works once). */
    public TokenPair refresh(RefreshRequest request) {
        return send("POST", "/api/auth/refresh", request, mapper.constructType(TokenPair.class));
    }

    /** Administrators: every user, lazily. */
    public Stream<User> users() {
        return pages((skip, take) ->
                send("GET", "/api/admin/users?skip=" + skip + "&take=" + take, null, pageOf(User.class)));
    }

    /** Administrators: a new user and their initial password. */
    public CreatedUser createUser(CreateUserRequest request) {
        return send("POST", "/api/admin/users", request, mapper.constructType(CreatedUser.class));
    }

    /** Administrators: counts of users, organizations, projects and active keys. */
    public AdminStats stats() {
        return send("GET", "/api/admin/stats", null, mapper.constructType(AdminStats.class));
    }

    /** Administrators: grants credits to an organization. */
    public CreditTransaction grant(CreditGrantRequest request) {
        return send("POST", "/api/admin/credits/grants", request, mapper.constructType(CreditTransaction.class));
    }

    /** Administrators: every balance recomputed from its transactions. */
    public LedgerReport verifyLedger() {
        return send("GET", "/api/admin/ledger/verify", null, mapper.constructType(LedgerReport.class));
    }

    public Organization getOrganization(String organizationId) {
        return send(
                "GET", "/api/organizations/" + encode(organizationId), null, mapper.constructType(Organization.class));
    }

    public Member changeRole(String organizationId, String userId, ChangeRoleRequest request) {
        return send(
                "PATCH",
                "/api/organizations/" + encode(organizationId) + "/members/" + encode(userId),
                request,
                mapper.constructType(Member.class));
    }

    public void removeMember(String organizationId, String userId) {
        send("DELETE", "/api/organizations/" + encode(organizationId) + "/members/" + encode(userId), null, null);
    }

    /** A project's activity, newest first, lazily. */
    public Stream<ActivityEntry> activity(String projectId) {
        return pages((skip, take) -> send(
                "GET",
                "/api/projects/" + encode(projectId) + "/activity?skip=" + skip + "&take=" + take,
                null,
                pageOf(ActivityEntry.class)));
    }

    /** Reports a job's progress (with a job token, from inside the job, or as a member). */
    public JobProgress reportProgress(String jobId, ProgressUpdate update) {
        return send(
                "POST", "/api/jobs/" + encode(jobId) + "/progress", update, mapper.constructType(JobProgress.class));
    }

    /** Reports metric points of a job: at most 1,000 a call. */
    public JobMetricNames reportMetrics(String jobId, java.util.List<MetricInput> points) {
        return send(
                "POST", "/api/jobs/" + encode(jobId) + "/metrics", points, mapper.constructType(JobMetricNames.class));
    }

    /** The names of a job's metrics. */
    public JobMetricNames metricNames(String jobId) {
        return send("GET", "/api/jobs/" + encode(jobId) + "/metrics", null, mapper.constructType(JobMetricNames.class));
    }

    /** Every point of a metric as the job reports it (server-sent events), until the job ends. */
    public Stream<MetricSeries.Point> followMetric(String jobId, String name) {
        return events(
                "/api/jobs/" + encode(jobId) + "/metrics/" + encode(name) + "?follow=true",
                "point",
                MetricSeries.Point.class);
    }

    /** The files a job uploaded. */
    public java.util.List<JobArtifact> artifacts(String jobId) {
        return send(
                "GET",
                "/api/jobs/" + encode(jobId) + "/artifacts",
                null,
                mapper.getTypeFactory().constructCollectionType(java.util.List.class, JobArtifact.class));
    }

    /** Uploads a file of a running job (with its job token), streamed from disk. */
    public JobArtifact uploadArtifact(String jobId, String name, java.nio.file.Path file) {
        try {
            return upload(
                    "/api/jobs/" + encode(jobId) + "/artifacts?name=" + encode(name),
                    HttpRequest.BodyPublishers.ofFile(file),
                    "application/octet-stream",
                    JobArtifact.class);
        } catch (java.io.FileNotFoundException e) {
            throw new TrainyardException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Downloads a file a job uploaded, streamed to disk. */
    public java.nio.file.Path downloadArtifact(String jobId, String name, java.nio.file.Path target) {
        return download("/api/jobs/" + encode(jobId) + "/artifacts/" + encode(name), target);
    }

    public Dataset getDataset(String projectId, String datasetId) {
        return send(
                "GET",
                "/api/projects/" + encode(projectId) + "/datasets/" + encode(datasetId),
                null,
                mapper.constructType(Dataset.class));
    }

    public void deleteDataset(String projectId, String datasetId) {
        send("DELETE", "/api/projects/" + encode(projectId) + "/datasets/" + encode(datasetId), null, null);
    }

    public void deleteModel(String projectId, String modelId) {
        send("DELETE", modelPath(projectId, modelId), null, null);
    }

    // ---- plumbing ------------------------------------------------------------------------------

    private <T> T upload(String path, HttpRequest.BodyPublisher body, String contentType, Class<T> type) {
        HttpResponse<byte[]> response = stream(path, body, contentType, token(false));
        if (response.statusCode() == 401 && apiKey != null) {
            response = stream(path, body, contentType, token(true));
        }
        if (response.statusCode() >= 400) {
            throw error(response);
        }
        try {
            return mapper.readValue(response.body(), type);
        } catch (IOException e) {
            throw new TrainyardException("the server's answer could not be read: " + e.getMessage(), e);
        }
    }

    private HttpResponse<byte[]> stream(
            String path, HttpRequest.BodyPublisher body, String contentType, String bearer) {
        return call(
                HttpRequest.newBuilder(baseUrl.resolve(path))
                        .header("Content-Type", contentType)
                        .POST(body),
                bearer,
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Streams a download to a temporary file beside {@code target}, renamed once complete. */
    private java.nio.file.Path download(String path, java.nio.file.Path target) {
        return download(path, target, (received, total) -> {});
    }

    /** Reports a transfer: bytes so far, and the total (-1 when the server did not say). */
    @FunctionalInterface
    public interface TransferListener {
        void progress(long bytes, long total);
    }

    /** Like {@link #downloadExport(String, String, String, java.nio.file.Path)}, reporting the bytes received. */
    public java.nio.file.Path downloadExport(
            String projectId, String modelId, String exportName, java.nio.file.Path target, TransferListener listener) {
        return download(modelPath(projectId, modelId) + "/exports/" + encode(exportName), target, listener);
    }

    /** Like {@link #downloadDataset(String, String, java.nio.file.Path)}, reporting the bytes received. */
    public java.nio.file.Path downloadDataset(
            String projectId, String datasetId, java.nio.file.Path target, TransferListener listener) {
        return download(
                "/api/projects/" + encode(projectId) + "/datasets/" + encode(datasetId) + "/download",
                target,
                listener);
    }

    private java.nio.file.Path download(String path, java.nio.file.Path target, TransferListener listener) {
        java.nio.file.Path partial = target.resolveSibling(target.getFileName() + ".part");
        try {
            HttpResponse<java.io.InputStream> response = fetch(path, token(false));
            if (response.statusCode() == 401 && apiKey != null) {
                response.body().close();
                response = fetch(path, token(true));
            }
            if (response.statusCode() >= 400) {
                byte[] body;
                try (java.io.InputStream in = response.body()) {
                    body = in.readAllBytes();
                }
                throw error(response.statusCode(), response.headers(), body);
            }
            long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            try (java.io.InputStream in = response.body();
                    java.io.OutputStream out = java.nio.file.Files.newOutputStream(partial)) {
                byte[] buffer = new byte[1 << 16];
                long received = 0;
                for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                    out.write(buffer, 0, read);
                    received += read;
                    listener.progress(received, total);
                }
            }
            return java.nio.file.Files.move(partial, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new TrainyardException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            try {
                java.nio.file.Files.deleteIfExists(partial);
            } catch (IOException e) {
                // best effort
            }
        }
    }

    private HttpResponse<java.io.InputStream> fetch(String path, String bearer) {
        return call(
                HttpRequest.newBuilder(baseUrl.resolve(path)).GET(), bearer, HttpResponse.BodyHandlers.ofInputStream());
    }

    /** A page fetcher: skip and take in, a page out. */
    @FunctionalInterface
    private interface PageFetcher<T> {
        Page<T> fetch(int skip, int take);
    }

    private static final int PAGE = 100;

    /** All items of a paged list, fetched lazily a page at a time. */
    private static <T> Stream<T> pages(PageFetcher<T> fetcher) {
        java.util.Iterator<T> items = new java.util.Iterator<>() {
            private java.util.Iterator<T> page = java.util.Collections.emptyIterator();
            private int skip;
            private boolean last;

            @Override
            public boolean hasNext() {
                while (!page.hasNext() && !last) {
                    Page<T> next = fetcher.fetch(skip, PAGE);
                    page = next.items().iterator();
                    skip += next.items().size();
                    last = next.items().isEmpty() || skip >= next.total();
                }
                return page.hasNext();
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return page.next();
            }
        };
        return java.util.stream.StreamSupport.stream(
                java.util.Spliterators.spliteratorUnknownSize(items, java.util.Spliterator.ORDERED), false);
    }

    /** The {@code data} of each {@code event} of a server-sent event stream, until its end event. */
    private <T> Stream<T> events(String path, String event, Class<T> type) {
        HttpResponse<Stream<String>> response = openEvents(path, token(false));
        if (response.statusCode() == 401 && apiKey != null) {
            response.body().close();
            response = openEvents(path, token(true));
        }
        if (response.statusCode() >= 400) {
            byte[] body = String.join("\n", response.body().toList()).getBytes(StandardCharsets.UTF_8);
            throw error(response.statusCode(), response.headers(), body);
        }
        Stream<String> lines = response.body();
        java.util.Iterator<String> source = lines.iterator();
        java.util.Iterator<T> items = new java.util.Iterator<>() {
            private T next;
            private boolean ended;

            @Override
            public boolean hasNext() {
                String current = null;
                while (next == null && !ended && source.hasNext()) {
                    String line = source.next();
                    if (line.startsWith("event: ")) {
                        current = line.substring(7);
                        ended = current.equals("end");
                    } else if (line.startsWith("data: ") && event.equals(current)) {
                        try {
                            next = mapper.readValue(line.substring(6), type);
                        } catch (IOException e) {
                            throw new TrainyardException("an event could not be read: " + e.getMessage(), e);
                        }
                    }
                }
                return next != null;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                T item = next;
                next = null;
                return item;
            }
        };
        return java.util.stream.StreamSupport.stream(
                        java.util.Spliterators.spliteratorUnknownSize(items, java.util.Spliterator.ORDERED), false)
                .onClose(lines::close);
    }

    private HttpResponse<Stream<String>> openEvents(String path, String bearer) {
        return call(
                HttpRequest.newBuilder(baseUrl.resolve(path))
                        .header("Accept", "text/event-stream")
                        .GET(),
                bearer,
                HttpResponse.BodyHandlers.ofLines());
    }

    private JavaType pageOf(Class<?> item) {
        return mapper.getTypeFactory().constructParametricType(Page.class, item);
    }

    private <T> T send(String method, String path, Object body, JavaType type) {
        return send(method, path, body, type, Map.of());
    }

    private <T> T send(String method, String path, Object body, JavaType type, Map<String, String> headers) {
        HttpResponse<byte[]> response = exchange(method, path, body, token(false), headers);
        if (response.statusCode() == 401 && apiKey != null) {
            response = exchange(method, path, body, token(true), headers);
        }
        if (response.statusCode() >= 400) {
            throw error(response);
        }
        if (type == null || response.statusCode() == 204) {
            return null;
        }
        try {
            return mapper.readValue(response.body(), type);
        } catch (IOException e) {
            throw new TrainyardException("the server's answer could not be read: " + e.getMessage(), e);
        }
    }

    private HttpResponse<byte[]> exchange(
            String method, String path, Object body, String bearer, Map<String, String> headers) {
        HttpRequest.BodyPublisher publisher;
        try {
            publisher = body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(mapper.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new TrainyardException("the request could not be written: " + e.getMessage(), e);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(baseUrl.resolve(path))
                .timeout(timeout)
                .header("Accept", "application/json")
                .method(method, publisher);
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return call(request, bearer, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Sends a request with the bearer (if any); an unreachable server is a TrainyardException. */
    private <T> HttpResponse<T> call(HttpRequest.Builder request, String bearer, HttpResponse.BodyHandler<T> answer) {
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        try {
            return http.send(request.build(), answer);
        } catch (IOException e) {
            throw new TrainyardException("cannot reach " + baseUrl + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainyardException("interrupted while calling " + baseUrl, e);
        }
    }

    /** The bearer to send: the fixed token, or a JWT for the API key, renewed before it expires. */
    private String token(boolean forceRenewal) {
        if (apiKey == null) {
            return fixedToken;
        }
        CachedToken current = cachedToken;
        if (!forceRenewal
                && current != null
                && clock.instant().isBefore(current.expiresAt().minus(RENEW_BEFORE_EXPIRY))) {
            return current.token();
        }
        synchronized (this) {
            if (!forceRenewal && cachedToken != current && cachedToken != null) {
                return cachedToken.token();
            }
            HttpResponse<byte[]> response = exchangeKey();
            if (response.statusCode() != 200) {
                throw error(response);
            }
            try {
                String token = mapper.readValue(response.body(), String.class);
                cachedToken = new CachedToken(token, expiryOf(token));
                return token;
            } catch (IOException e) {
                throw new TrainyardException("the token answer could not be read", e);
            }
        }
    }

    private HttpResponse<byte[]> exchangeKey() {
        return call(
                HttpRequest.newBuilder(baseUrl.resolve("/api/auth/token"))
                        .timeout(timeout)
                        .header("x-api-key", apiKey)
                        .POST(HttpRequest.BodyPublishers.noBody()),
                null,
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Reads {@code exp} from the token's payload; the server checks the signature, not us. */
    private Instant expiryOf(String token) throws IOException {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return clock.instant();
        }
        JsonNode claims = mapper.readTree(Base64.getUrlDecoder().decode(parts[1]));
        return claims.has("exp") ? Instant.ofEpochSecond(claims.get("exp").asLong()) : clock.instant();
    }

    private TrainyardException error(HttpResponse<byte[]> response) {
        return error(response.statusCode(), response.headers(), response.body());
    }

    private TrainyardException error(int status, java.net.http.HttpHeaders headers, byte[] body) {
        String requestId = headers.firstValue("X-Request-Id").orElse(null);
        try {
            JsonNode problem = mapper.readTree(body);
            return new TrainyardException(
                    status,
                    problem.path("code").asText("http_" + status),
                    problem.path("detail").asText("HTTP " + status),
                    problem.path("request_id").asText(requestId));
        } catch (IOException | RuntimeException e) {
            return new TrainyardException(status, "http_" + status, "HTTP " + status, requestId);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private record CachedToken(String token, Instant expiresAt) {}

    /** Builds a {@link Trainyard} client; {@code baseUrl} and one credential are required. */
    public static final class Builder {
        private URI baseUrl;
        private String apiKey;
        private String token;
        private Duration timeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        public Builder baseUrl(String url) {
            Objects.requireNonNull(url, "url");
            URI uri = URI.create(url.endsWith("/") ? url : url + "/");
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new IllegalArgumentException("the base URL must be http:// or https://, got " + url);
            }
            this.baseUrl = uri;
            return this;
        }

        /** An API key ({@code ty_...}); the client exchanges it for tokens itself. */
        public Builder apiKey(String key) {
            this.apiKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /** A fixed bearer token (a JWT), used as is and never renewed. */
        public Builder token(String bearer) {
            this.token = Objects.requireNonNull(bearer, "bearer");
            return this;
        }

        public Builder timeout(Duration value) {
            this.timeout = requirePositive(value);
            return this;
        }

        public Builder connectTimeout(Duration value) {
            this.connectTimeout = requirePositive(value);
            return this;
        }

        /** The clock used to decide when to renew tokens (tests). */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        public Trainyard build() {
            if (baseUrl == null) {
                throw new IllegalStateException("a base URL is required");
            }
            if ((apiKey == null) == (token == null)) {
                throw new IllegalStateException("exactly one of an API key or a token is required");
            }
            return new Trainyard(this);
        }

        private static Duration requirePositive(Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("a timeout must be positive");
            }
            return value;
        }
    }
}
