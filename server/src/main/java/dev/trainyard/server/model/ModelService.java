package dev.trainyard.server.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.api.CreateJobRequest;
import dev.trainyard.api.CreateModelRequest;
import dev.trainyard.api.Dataset;
import dev.trainyard.api.Job;
import dev.trainyard.api.JobState;
import dev.trainyard.api.Model;
import dev.trainyard.api.Page;
import dev.trainyard.api.Predictions;
import dev.trainyard.api.Problem.FieldError;
import dev.trainyard.api.TrainModelRequest;
import dev.trainyard.server.blob.BlobStore;
import dev.trainyard.server.common.ErrorCode;
import dev.trainyard.server.common.Ids;
import dev.trainyard.server.common.PageRequest;
import dev.trainyard.server.common.Principal;
import dev.trainyard.server.common.TrainyardException;
import dev.trainyard.server.dataset.DatasetService;
import dev.trainyard.server.job.ArtifactStore;
import dev.trainyard.server.job.JobRow;
import dev.trainyard.server.job.JobService;
import dev.trainyard.server.org.Memberships;
import dev.trainyard.server.project.ProjectRow;
import dev.trainyard.server.project.ProjectService;
import dev.trainyard.server.store.Database;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tribuo.Example;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;

/**
 * Models: created on a project's CSV dataset, trained by ordinary jobs that run the built-in
 * trainer (queued, metered, logged, with progress), versioned when a training job COMPLETES and
 * uploaded its model (a stopped or failed job leaves no version), and asked for predictions.
 */
public final class ModelService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelService.class);
    private static final Set<String> TASKS = Set.of("classification", "regression");
    private static final Set<String> ALGORITHMS = Set.of("linear", "cart");
    private static final String MODEL_TAG = "model:";
    private static final String TRAIN_TAG = "train";
    private static final int MAX_PREDICT_ROWS = 1_000;

    private final Database database;
    private final JobService jobs;
    private final DatasetService datasets;
    private final BlobStore blobs;
    private final TrainerInstall trainer;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Map<String, org.tribuo.Model<?>> loaded = new ConcurrentHashMap<>();
    private final ExecutorService versioning = Executors.newVirtualThreadPerTaskExecutor();

    public ModelService(
            Database database,
            JobService jobs,
            DatasetService datasets,
            BlobStore blobs,
            TrainerInstall trainer,
            ObjectMapper mapper,
            Clock clock) {
        this.database = database;
        this.jobs = jobs;
        this.datasets = datasets;
        this.blobs = blobs;
        this.trainer = trainer;
        this.mapper = mapper;
        this.clock = clock;
        jobs.onEvent(event -> {
            if (event.to() == JobState.COMPLETED) {
                versioning.submit(() -> recordVersion(event.jobId()));
            }
        });
    }

    public Model create(Principal caller, String projectId, CreateModelRequest request) {
        List<FieldError> errors = new ArrayList<>();
        String name = request.name() == null ? "" : request.name().strip();
        if (name.isEmpty() || name.length() > 200) {
            errors.add(new FieldError("name", "is required, at most 200 characters"));
        }
        String task = request.task() == null ? "classification" : request.task();
        if (!TASKS.contains(task)) {
            errors.add(new FieldError("task", "must be classification or regression"));
        }
        String algorithm = request.algorithm() == null ? "linear" : request.algorithm();
        if (!ALGORITHMS.contains(algorithm)) {
            errors.add(new FieldError("algorithm", "must be linear or cart"));
        }
        Map<String, Object> hyperparameters = hyperparameters(errors, request.hyperparameters());
        if (request.dataset() == null) {
            errors.add(new FieldError("dataset", "is required: a CSV dataset of the project"));
        }
        if (request.targetColumn() == null || request.targetColumn().isBlank()) {
            errors.add(new FieldError("target_column", "is required"));
        }
        if (!errors.isEmpty()) {
            throw TrainyardException.invalid(errors);
        }
        Dataset dataset = datasets.get(caller, projectId, request.dataset());
        if (!dataset.format().equals("csv")) {
            throw TrainyardException.invalid("dataset", "must be a CSV dataset");
        }
        if (!dataset.columns().contains(request.targetColumn())) {
            throw TrainyardException.invalid(
                    "target_column", "is not a column of the dataset (it has " + dataset.columns() + ")");
        }
        Instant now = clock.instant();
        return database.write(handle -> {
            ProjectService.Visible visible = ProjectService.visibleWithRole(handle, caller, projectId);
            Memberships.requireWriter(visible.role());
            ModelStore.ModelRow row = new ModelStore.ModelRow(
                    Ids.newId("m"),
                    visible.project().organizationId(),
                    visible.project().id(),
                    name,
                    task,
                    dataset.id(),
                    request.targetColumn(),
                    algorithm,
                    json(hyperparameters),
                    caller.userId(),
                    now);
            handle.attach(ModelStore.class).insert(row);
            return toApi(handle, row);
        });
    }

    public Page<Model> list(Principal caller, String projectId, PageRequest page) {
        return database.read(handle -> {
            ProjectRow project = ProjectService.visible(handle, caller, projectId);
            ModelStore store = handle.attach(ModelStore.class);
            List<Model> items = store.list(project.id(), page.skip(), page.take()).stream()
                    .map(row -> toApi(handle, row))
                    .toList();
            return new Page<>(items, store.count(project.id()), page.skip(), page.take());
        });
    }

    public Model get(Principal caller, String projectId, String modelId) {
        return database.read(handle -> toApi(handle, visible(handle, caller, projectId, modelId)));
    }

    public void delete(Principal caller, String projectId, String modelId) {
        database.writeVoid(handle -> {
            ModelStore.ModelRow model = visible(handle, caller, projectId, modelId);
            Memberships.requireWriter(handle, model.organizationId(), caller);
            ModelStore store = handle.attach(ModelStore.class);
            if (store.unfinishedJobs(model.id()) > 0) {
                throw TrainyardException.conflict("model " + model.id() + " has unfinished jobs; stop them first");
            }
            store.delete(model.id());
        });
    }

    /** Queues a training job of the model: the job that will make its next version. */
    public Job train(Principal caller, String projectId, String modelId, TrainModelRequest request) {
        if (!trainer.installed()) {
            throw TrainyardException.of(
                    ErrorCode.UNAVAILABLE,
                    "the built-in trainer is not installed on this server (build the trainer module)");
        }
        ModelStore.ModelRow model = database.read(handle -> {
            ModelStore.ModelRow row = visible(handle, caller, projectId, modelId);
            Memberships.requireWriter(handle, row.organizationId(), caller);
            return row;
        });
        Dataset dataset = datasets.get(caller, projectId, model.datasetId());
        List<FieldError> errors = new ArrayList<>();
        Map<String, Object> settings = new LinkedHashMap<>(read(model.hyperparameters()));
        settings.putAll(hyperparameters(errors, request == null ? null : request.hyperparameters()));
        if (request != null && request.epochs() != null) {
            if (request.epochs() < 1 || request.epochs() > 1_000) {
                errors.add(new FieldError("epochs", "must be between 1 and 1000"));
            }
            settings.put("epochs", request.epochs());
        }
        if (!errors.isEmpty()) {
            throw TrainyardException.invalid(errors);
        }
        Map<String, Object> spec = new LinkedHashMap<>(settings);
        spec.put("task", model.task());
        spec.put("algorithm", model.algorithm());
        spec.put("target", model.targetColumn());
        spec.put("dataset_env", DatasetService.environmentName(dataset.name()));
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("TRAINER_JAVA", trainer.java());
        environment.put("TRAINER_CLASSPATH", trainer.classPath());
        environment.put("TRAINER_SPEC", json(spec));
        CreateJobRequest job = new CreateJobRequest(
                "train " + model.name(),
                projectId,
                "trains model " + model.id() + " with the built-in trainer",
                null,
                0,
                request == null || request.cpuCores() == null ? 1 : request.cpuCores(),
                request == null || request.memoryGb() == null ? BigDecimal.valueOf(2) : request.memoryGb(),
                null,
                null,
                null,
                "exec \"$TRAINER_JAVA\" -Xmx1g -cp \"$TRAINER_CLASSPATH\" dev.trainyard.trainer.BuiltInTrainer",
                environment,
                null,
                null,
                List.of(MODEL_TAG + model.id(), TRAIN_TAG),
                null,
                List.of(dataset.id()));
        Job submitted = jobs.submit(caller, job, null).job();
        database.writeVoid(handle -> handle.attach(ModelStore.class).insertJob(submitted.id(), model.id(), TRAIN_TAG));
        return submitted;
    }

    /** Predictions of the latest version for rows of feature values. */
    public Predictions predict(Principal caller, String projectId, String modelId, List<Map<String, Object>> rows) {
        if (rows == null || rows.isEmpty() || rows.size() > MAX_PREDICT_ROWS) {
            throw TrainyardException.invalid("rows", "give 1 to " + MAX_PREDICT_ROWS + " rows");
        }
        ModelStore.ModelRow model = database.read(handle -> visible(handle, caller, projectId, modelId));
        ModelStore.VersionRow version =
                database.read(handle -> handle.attach(ModelStore.class).versions(model.id())).stream()
                        .findFirst()
                        .orElseThrow(() ->
                                TrainyardException.conflict("model " + model.id() + " has no trained version yet"));
        org.tribuo.Model<?> trained = loaded.computeIfAbsent(version.sha256(), sha -> {
            try {
                return org.tribuo.Model.deserializeFromFile(blobs.path(sha));
            } catch (IOException e) {
                throw new IllegalStateException("cannot load model version " + version.id(), e);
            }
        });
        List<Predictions.Prediction> predictions = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Map<String, Object> row = rows.get(i);
            String[] names = new String[row.size()];
            double[] values = new double[row.size()];
            int n = 0;
            for (Map.Entry<String, Object> feature : row.entrySet()) {
                if (!(feature.getValue() instanceof Number number)) {
                    throw TrainyardException.invalid("rows[" + i + "]." + feature.getKey(), "must be a number");
                }
                names[n] = feature.getKey();
                values[n++] = number.doubleValue();
            }
            predictions.add(predictOne(trained, model.task(), names, values));
        }
        return new Predictions(model.id(), version.version(), predictions);
    }

    @SuppressWarnings("unchecked")
    private static Predictions.Prediction predictOne(
            org.tribuo.Model<?> trained, String task, String[] names, double[] values) {
        if (task.equals("classification")) {
            org.tribuo.Model<Label> classifier = (org.tribuo.Model<Label>) trained;
            Example<Label> example = new ArrayExample<>(LabelFactory.UNKNOWN_LABEL, names, values);
            Prediction<Label> prediction = classifier.predict(example);
            Map<String, Double> scores = new LinkedHashMap<>();
            prediction.getOutputScores().forEach((label, score) -> scores.put(label, score.getScore()));
            return new Predictions.Prediction(prediction.getOutput().getLabel(), scores);
        }
        org.tribuo.Model<Regressor> regressor = (org.tribuo.Model<Regressor>) trained;
        Example<Regressor> example = new ArrayExample<>(RegressionFactory.UNKNOWN_REGRESSOR, names, values);
        return new Predictions.Prediction(regressor.predict(example).getOutput().getValues()[0], null);
    }

    /** A training job COMPLETED: its uploaded model becomes the model's next version. */
    private void recordVersion(String jobId) {
        try {
            JobRow job = jobs.row(jobId).orElse(null);
            if (job == null
                    || !job.tags().contains("\"" + TRAIN_TAG + "\"")
                    || !job.tags().contains(MODEL_TAG)) {
                return;
            }
            List<String> tags = mapper.readValue(job.tags(), new TypeReference<List<String>>() {});
            String modelId = tags.stream()
                    .filter(tag -> tag.startsWith(MODEL_TAG))
                    .map(tag -> tag.substring(MODEL_TAG.length()))
                    .findFirst()
                    .orElse(null);
            if (modelId == null) {
                return;
            }
            database.writeVoid(handle -> {
                ArtifactStore artifacts = handle.attach(ArtifactStore.class);
                ArtifactStore.ArtifactRow file =
                        artifacts.find(jobId, "model.tribuo").orElse(null);
                ArtifactStore.ArtifactRow results =
                        artifacts.find(jobId, "results.json").orElse(null);
                ModelStore store = handle.attach(ModelStore.class);
                if (file == null || store.findById(modelId).isEmpty()) {
                    LOG.warn("training job {} completed without a model file; no version made", jobId);
                    return;
                }
                String metrics = "{}";
                if (results != null) {
                    try {
                        metrics = mapper.writeValueAsString(
                                mapper.readTree(Files.readString(blobs.path(results.sha256())))
                                        .path("metrics"));
                    } catch (IOException e) {
                        LOG.warn("unreadable results of training job {}: {}", jobId, e.getMessage());
                    }
                }
                store.insertVersion(new ModelStore.VersionRow(
                        Ids.newId("v"),
                        modelId,
                        store.latestVersion(modelId) + 1,
                        jobId,
                        file.sha256(),
                        file.sizeBytes(),
                        metrics,
                        clock.instant()));
            });
        } catch (IOException | RuntimeException e) {
            LOG.error("recording the model version of job {} failed", jobId, e);
        }
    }

    private ModelStore.ModelRow visible(Handle handle, Principal caller, String projectId, String modelId) {
        ProjectRow project = ProjectService.visible(handle, caller, projectId);
        if (!Ids.looksLike("m", modelId)) {
            throw TrainyardException.notFound("model", modelId);
        }
        return handle.attach(ModelStore.class)
                .findById(modelId)
                .filter(row -> row.projectId().equals(project.id()))
                .orElseThrow(() -> TrainyardException.notFound("model", modelId));
    }

    private static Map<String, Object> hyperparameters(List<FieldError> errors, Map<String, Object> given) {
        Map<String, Object> checked = new LinkedHashMap<>();
        if (given == null) {
            return checked;
        }
        for (Map.Entry<String, Object> entry : given.entrySet()) {
            String key = entry.getKey();
            Object value = entry.getValue();
            String field = "hyperparameters." + key;
            if (!(value instanceof Number number)) {
                errors.add(new FieldError(field, "must be a number"));
                continue;
            }
            double v = number.doubleValue();
            boolean ok = switch (key) {
                case "epochs" -> v >= 1 && v <= 1_000 && v == Math.rint(v);
                case "learning_rate" -> v > 0 && v <= 10;
                case "max_depth" -> v >= 1 && v <= 100 && v == Math.rint(v);
                case "seed" -> v == Math.rint(v);
                case "test_fraction" -> v > 0 && v < 1;
                default -> {
                    errors.add(new FieldError(
                            field, "is not a setting: epochs, learning_rate, max_depth, seed or test_fraction"));
                    yield true;
                }
            };
            if (!ok) {
                errors.add(new FieldError(field, "is out of range"));
            }
            checked.put(key, value);
        }
        return checked;
    }

    private Model toApi(Handle handle, ModelStore.ModelRow row) {
        List<Model.Version> versions = handle.attach(ModelStore.class).versions(row.id()).stream()
                .map(version -> new Model.Version(
                        version.version(),
                        version.jobId(),
                        read(version.metrics()),
                        version.sizeBytes(),
                        version.sha256(),
                        version.createdAt()))
                .toList();
        return new Model(
                row.id(),
                row.name(),
                row.projectId(),
                row.task(),
                row.datasetId(),
                row.targetColumn(),
                row.algorithm(),
                read(row.hyperparameters()),
                versions,
                row.createdBy(),
                row.createdAt());
    }

    private Map<String, Object> read(String json) {
        try {
            return mapper.readValue(json, new TypeReference<Map<String, Object>>() {});
        } catch (JsonProcessingException e) {
            return Map.of();
        }
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        versioning.shutdown();
    }
}
