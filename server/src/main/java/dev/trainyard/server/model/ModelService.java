package dev.trainyard.server.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.api.CreateJobRequest;
import dev.trainyard.api.CreateModelRequest;
import dev.trainyard.api.Dataset;
import dev.trainyard.api.ExportModelRequest;
import dev.trainyard.api.Job;
import dev.trainyard.api.JobState;
import dev.trainyard.api.Model;
import dev.trainyard.api.ModelExport;
import dev.trainyard.api.Page;
import dev.trainyard.api.Predictions;
import dev.trainyard.api.Problem.FieldError;
import dev.trainyard.api.TestModelRequest;
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
import dev.trainyard.server.project.ProjectArchive;
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
public final class ModelService implements AutoCloseable, ProjectArchive.ModelSource {
    private static final Logger LOG = LoggerFactory.getLogger(ModelService.class);
    private static final Set<String> TASKS = Set.of("classification", "regression");
    private static final Set<String> ALGORITHMS = Set.of("linear", "cart");
    private static final String MODEL_TAG = "model:";
    private static final String TRAIN_TAG = "train";
    private static final String TEST_TAG = "test";
    private static final String EXPORT_TAG = "export";
    private static final String VERSION_TAG = "version:";
    /** Where a test or export job finds the model version it works on. */
    public static final String MODEL_FILE_VARIABLE = "TRAINYARD_MODEL_FILE";

    private static final int MAX_PREDICT_ROWS = 1_000;
    private static final String TRAINER_COMMAND =
            "exec \"$TRAINER_JAVA\" -Xmx${TRAINER_HEAP_MB}m -cp \"$TRAINER_CLASSPATH\" dev.trainyard.trainer.BuiltInTrainer";

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
                versioning.submit(() -> completed(event.jobId()));
            }
        });
    }

    public Model create(Principal caller, String projectId, CreateModelRequest request) {
        List<FieldError> errors = new ArrayList<>();
        String name = request.name() == null ? "" : request.name().strip();
        if (name.isEmpty() || name.length() > 200) {
            errors.add(new FieldError("name", "is required, at most 200 characters"));
        }
        String kind = request.kind() == null ? "builtin" : request.kind();
        if (!kind.equals("builtin") && !kind.equals("custom")) {
            errors.add(new FieldError("kind", "must be builtin or custom"));
        }
        boolean custom = kind.equals("custom");
        String task = request.task() == null ? (custom ? "custom" : "classification") : request.task();
        if (!custom && !TASKS.contains(task)) {
            errors.add(new FieldError("task", "must be classification or regression"));
        }
        String algorithm = custom ? "custom" : request.algorithm() == null ? "linear" : request.algorithm();
        if (!custom && !ALGORITHMS.contains(algorithm)) {
            errors.add(new FieldError("algorithm", "must be linear or cart"));
        }
        Map<String, Object> hyperparameters = hyperparameters(errors, request.hyperparameters());
        Map<String, String> commands = new LinkedHashMap<>();
        if (custom) {
            command(errors, commands, "train", request.trainCommand(), true);
            command(errors, commands, "test", request.testCommand(), false);
            command(errors, commands, "export", request.exportCommand(), false);
        } else {
            if (request.dataset() == null) {
                errors.add(new FieldError("dataset", "is required: a CSV dataset of the project"));
            }
            if (request.targetColumn() == null || request.targetColumn().isBlank()) {
                errors.add(new FieldError("target_column", "is required"));
            }
        }
        if (!errors.isEmpty()) {
            throw TrainyardException.invalid(errors);
        }
        Dataset dataset = request.dataset() == null ? null : datasets.get(caller, projectId, request.dataset());
        if (!custom && !dataset.format().equals("csv")) {
            throw TrainyardException.invalid("dataset", "must be a CSV dataset");
        }
        if (!custom && !dataset.columns().contains(request.targetColumn())) {
            throw TrainyardException.invalid(
                    "target_column", "is not a column of the dataset (it has " + dataset.columns() + ")");
        }
        List<String> features = request.featureColumns() == null ? List.of() : List.copyOf(request.featureColumns());
        for (String feature : features) {
            if (dataset == null || !dataset.columns().contains(feature) || feature.equals(request.targetColumn())) {
                throw TrainyardException.invalid(
                        "feature_columns", "'" + feature + "' is not a column of the dataset other than the target");
            }
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
                    kind,
                    dataset == null ? null : dataset.id(),
                    request.targetColumn(),
                    json(features),
                    algorithm,
                    json(hyperparameters),
                    json(commands),
                    caller.userId(),
                    now);
            handle.attach(ModelStore.class).insert(row);
            return toApi(handle, row);
        });
    }

    private static void command(
            List<FieldError> errors, Map<String, String> commands, String which, String command, boolean required) {
        if (command == null || command.isBlank()) {
            if (required) {
                errors.add(new FieldError(which + "_command", "is required for a custom model"));
            }
            return;
        }
        if (command.length() > 100_000) {
            errors.add(new FieldError(which + "_command", "is longer than 100000 characters"));
            return;
        }
        commands.put(which, command);
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
        ModelStore.ModelRow model = writable(caller, projectId, modelId);
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
        List<String> tags = List.of(MODEL_TAG + model.id(), TRAIN_TAG);
        Integer cores = request == null ? null : request.cpuCores();
        BigDecimal memory = request == null ? null : request.memoryGb();
        if (model.custom()) {
            return submit(
                    caller,
                    projectId,
                    "train " + model.name(),
                    customCommand(model, "train"),
                    Map.of(),
                    tags,
                    model.datasetId() == null ? List.of() : List.of(model.datasetId()),
                    model,
                    cores,
                    memory);
        }
        Dataset dataset = datasets.get(caller, projectId, model.datasetId());
        Map<String, Object> spec = new LinkedHashMap<>(settings);
        spec.put("mode", "train");
        spec.put("feature_columns", readList(model.featureColumns()));
        spec.put("task", model.task());
        spec.put("algorithm", model.algorithm());
        spec.put("target", model.targetColumn());
        spec.put("dataset_env", DatasetService.environmentName(dataset.name()));
        return submit(
                caller,
                projectId,
                "train " + model.name(),
                TRAINER_COMMAND,
                trainerEnvironment(spec),
                tags,
                List.of(dataset.id()),
                model,
                cores,
                memory);
    }

    /** The user's own command of a custom model; 409 when the model has none for this. */
    private String customCommand(ModelStore.ModelRow model, String which) {
        String command = readCommands(model.commands()).getOrDefault(which, "");
        if (command.isBlank()) {
            throw TrainyardException.conflict("custom model " + model.id() + " has no " + which + "_command");
        }
        return command;
    }

    private Map<String, String> trainerEnvironment(Map<String, Object> spec) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("TRAINER_JAVA", trainer.java());
        environment.put("TRAINER_CLASSPATH", trainer.classPath());
        environment.put("TRAINER_SPEC", json(spec));
        return environment;
    }

    /** Queues a test of a version on a dataset (or the held-out rows of its own): 202 with the job. */
    public Job test(Principal caller, String projectId, String modelId, TestModelRequest request) {
        ModelStore.ModelRow model = writable(caller, projectId, modelId);
        ModelStore.VersionRow version = version(model, request == null ? null : request.version());
        if (model.custom()) {
            String datasetId = request != null && request.dataset() != null ? request.dataset() : model.datasetId();
            if (datasetId != null) {
                datasets.get(caller, projectId, datasetId);
            }
            return submit(
                    caller,
                    projectId,
                    "test " + model.name() + " v" + version.version(),
                    customCommand(model, "test"),
                    Map.of(),
                    List.of(MODEL_TAG + model.id(), TEST_TAG, VERSION_TAG + version.version()),
                    datasetId == null ? List.of() : List.of(datasetId),
                    model,
                    null,
                    null);
        }
        String datasetId = request != null && request.dataset() != null ? request.dataset() : model.datasetId();
        Dataset dataset = datasets.get(caller, projectId, datasetId);
        if (!dataset.format().equals("csv") || !dataset.columns().contains(model.targetColumn())) {
            throw TrainyardException.invalid(
                    "dataset", "must be a CSV dataset with the target column " + model.targetColumn());
        }
        Map<String, Object> settings = read(model.hyperparameters());
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("mode", "test");
        spec.put("task", model.task());
        spec.put("target", model.targetColumn());
        spec.put("dataset_env", DatasetService.environmentName(dataset.name()));
        spec.put("model_env", MODEL_FILE_VARIABLE);
        spec.put("held_out", request == null || request.dataset() == null);
        spec.put("seed", settings.getOrDefault("seed", 42));
        spec.put("test_fraction", settings.getOrDefault("test_fraction", 0.2));
        return submit(
                caller,
                projectId,
                "test " + model.name() + " v" + version.version(),
                TRAINER_COMMAND,
                trainerEnvironment(spec),
                List.of(MODEL_TAG + model.id(), TEST_TAG, VERSION_TAG + version.version()),
                List.of(dataset.id()),
                model,
                null,
                null);
    }

    /** Queues an export of a version: ONNX (linear models) or native; 202 with the job. */
    public Job export(Principal caller, String projectId, String modelId, ExportModelRequest request) {
        ModelStore.ModelRow model = writable(caller, projectId, modelId);
        if (model.custom()) {
            ModelStore.VersionRow version = version(model, request == null ? null : request.version());
            // Whatever the export command uploads becomes an export, its format the file's extension.
            return submit(
                    caller,
                    projectId,
                    "export " + model.name() + " v" + version.version(),
                    customCommand(model, "export"),
                    Map.of(),
                    List.of(MODEL_TAG + model.id(), EXPORT_TAG, VERSION_TAG + version.version(), "format:custom"),
                    List.of(),
                    model,
                    null,
                    null);
        }
        String format = request == null || request.format() == null ? "onnx" : request.format();
        if (!format.equals("onnx") && !format.equals("native")) {
            throw TrainyardException.invalid("format", "must be onnx or native");
        }
        if (format.equals("onnx") && model.algorithm().equals("cart")) {
            throw TrainyardException.invalid(
                    "format", "ONNX export is available for linear models; export a cart model as native");
        }
        ModelStore.VersionRow version = version(model, request == null ? null : request.version());
        String base = model.name().replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^[._-]+", "");
        String name = (base.isEmpty() ? "model" : base) + "-v" + version.version()
                + (format.equals("onnx") ? ".onnx" : ".tribuo");
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("mode", "export");
        spec.put("format", format);
        spec.put("model_env", MODEL_FILE_VARIABLE);
        spec.put("export_name", name);
        spec.put("version", version.version());
        return submit(
                caller,
                projectId,
                "export " + model.name() + " v" + version.version() + " as " + format,
                TRAINER_COMMAND,
                trainerEnvironment(spec),
                List.of(MODEL_TAG + model.id(), EXPORT_TAG, VERSION_TAG + version.version(), "format:" + format),
                List.of(),
                model,
                null,
                null);
    }

    public List<ModelExport> exports(Principal caller, String projectId, String modelId) {
        return database.read(handle -> {
            ModelStore.ModelRow model = visible(handle, caller, projectId, modelId);
            return handle.attach(ModelStore.class).exports(model.id()).stream()
                    .map(ModelService::toApi)
                    .toList();
        });
    }

    /** An export and where its bytes are. */
    public record ExportFile(ModelExport export, java.nio.file.Path path) {}

    public ExportFile exportFile(Principal caller, String projectId, String modelId, String name) {
        return database.read(handle -> {
            ModelStore.ModelRow model = visible(handle, caller, projectId, modelId);
            ModelStore.ExportRow row = handle.attach(ModelStore.class)
                    .export(model.id(), name)
                    .orElseThrow(() -> TrainyardException.notFound("export", name));
            return new ExportFile(toApi(row), blobs.path(row.sha256()));
        });
    }

    private static ModelExport toApi(ModelStore.ExportRow row) {
        return new ModelExport(
                row.name(), row.format(), row.sizeBytes(), row.sha256(), row.version(), row.jobId(), row.createdAt());
    }

    @Override
    public List<Model> models(Principal caller, String projectId) {
        List<Model> all = new ArrayList<>();
        for (int skip = 0; ; skip += 500) {
            Page<Model> page = list(caller, projectId, new PageRequest(skip, 500));
            all.addAll(page.items());
            if (all.size() >= page.total() || page.items().isEmpty()) {
                return all;
            }
        }
    }

    @Override
    public List<ProjectArchive.ExportedFile> exportFiles(Principal caller, String projectId, String modelId) {
        return exports(caller, projectId, modelId).stream()
                .map(export -> new ProjectArchive.ExportedFile(
                        export,
                        exportFile(caller, projectId, modelId, export.name()).path()))
                .toList();
    }

    /** The model file a test or export job reads, as an input of the job; none for other jobs. */
    public List<dev.trainyard.server.executor.Launch.Input> inputsOf(String jobId) {
        ModelJob job = modelJob(jobs.row(jobId).orElse(null)).orElse(null);
        if (job == null || job.version() == null || job.kind().equals(TRAIN_TAG)) {
            return List.of();
        }
        return database.read(handle -> handle.attach(ModelStore.class).version(job.modelId(), job.version()))
                .map(version -> List.of(new dev.trainyard.server.executor.Launch.Input(
                        "model-v" + version.version() + ".tribuo", blobs.path(version.sha256()), MODEL_FILE_VARIABLE)))
                .orElse(List.of());
    }

    private ModelStore.ModelRow writable(Principal caller, String projectId, String modelId) {
        ModelStore.ModelRow model = database.read(handle -> {
            ModelStore.ModelRow row = visible(handle, caller, projectId, modelId);
            Memberships.requireWriter(handle, row.organizationId(), caller);
            return row;
        });
        if (!model.custom() && !trainer.installed()) {
            throw TrainyardException.of(
                    ErrorCode.UNAVAILABLE,
                    "the built-in trainer is not installed on this server (build the trainer module)");
        }
        return model;
    }

    private ModelStore.VersionRow version(ModelStore.ModelRow model, Integer version) {
        List<ModelStore.VersionRow> versions =
                database.read(handle -> handle.attach(ModelStore.class).versions(model.id()));
        if (versions.isEmpty()) {
            throw TrainyardException.conflict("model " + model.id() + " has no trained version yet; train it first");
        }
        return version == null
                ? versions.getFirst()
                : versions.stream()
                        .filter(row -> row.version() == version)
                        .findFirst()
                        .orElseThrow(() -> TrainyardException.notFound("version", String.valueOf(version)));
    }

    /** Submits a job of the model: its command, environment, tags (the second one is the kind) and datasets. */
    private Job submit(
            Principal caller,
            String projectId,
            String name,
            String runCommand,
            Map<String, String> environment,
            List<String> tags,
            List<String> datasetIds,
            ModelStore.ModelRow model,
            Integer cpuCores,
            BigDecimal memoryGb) {
        BigDecimal memory = memoryGb == null ? BigDecimal.valueOf(2) : memoryGb;
        if (!model.custom()) {
            // The trainer's heap: three quarters of the job's memory, the rest for the JVM itself.
            environment = new LinkedHashMap<>(environment);
            environment.put(
                    "TRAINER_HEAP_MB",
                    String.valueOf(Math.max(
                            64, memory.multiply(BigDecimal.valueOf(768)).longValue())));
        }
        CreateJobRequest request = new CreateJobRequest(
                name,
                projectId,
                (model.custom() ? "runs the custom command" : "runs the built-in trainer") + " of model " + model.id(),
                null,
                0,
                cpuCores == null ? 1 : cpuCores,
                memory,
                null,
                null,
                null,
                runCommand,
                environment,
                null,
                null,
                tags,
                null,
                datasetIds);
        Job submitted = jobs.submit(caller, request, null).job();
        database.writeVoid(
                handle -> handle.attach(ModelStore.class).insertJob(submitted.id(), model.id(), tags.get(1)));
        return submitted;
    }

    /** Predictions of the latest version for rows of feature values. */
    public Predictions predict(Principal caller, String projectId, String modelId, List<Map<String, Object>> rows) {
        if (rows == null || rows.isEmpty() || rows.size() > MAX_PREDICT_ROWS) {
            throw TrainyardException.invalid("rows", "give 1 to " + MAX_PREDICT_ROWS + " rows");
        }
        ModelStore.ModelRow model = database.read(handle -> visible(handle, caller, projectId, modelId));
        if (model.custom()) {
            throw TrainyardException.conflict("predict serves built-in models; download a custom model's exports");
        }
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

    /** What a model job is, from its tags: the model, the kind of work, the version it works on. */
    private record ModelJob(String modelId, String kind, Integer version, String format) {}

    private java.util.Optional<ModelJob> modelJob(JobRow job) {
        if (job == null || !job.tags().contains(MODEL_TAG)) {
            return java.util.Optional.empty();
        }
        List<String> tags;
        try {
            tags = mapper.readValue(job.tags(), new TypeReference<List<String>>() {});
        } catch (JsonProcessingException e) {
            return java.util.Optional.empty();
        }
        String model = null;
        String kind = null;
        Integer version = null;
        String format = null;
        for (String tag : tags) {
            if (tag.startsWith(MODEL_TAG)) {
                model = tag.substring(MODEL_TAG.length());
            } else if (tag.startsWith(VERSION_TAG)) {
                version = Integer.valueOf(tag.substring(VERSION_TAG.length()));
            } else if (tag.startsWith("format:")) {
                format = tag.substring("format:".length());
            } else if (Set.of(TRAIN_TAG, TEST_TAG, EXPORT_TAG).contains(tag)) {
                kind = tag;
            }
        }
        return model == null || kind == null
                ? java.util.Optional.empty()
                : java.util.Optional.of(new ModelJob(model, kind, version, format));
    }

    /** A model job COMPLETED: a new version, test results, or an export, from what it uploaded. */
    private void completed(String jobId) {
        try {
            JobRow row = jobs.row(jobId).orElse(null);
            ModelJob job = modelJob(row).orElse(null);
            if (job == null) {
                return;
            }
            switch (job.kind()) {
                case TRAIN_TAG -> recordVersion(jobId, job.modelId());
                case TEST_TAG -> recordTest(jobId, job);
                case EXPORT_TAG -> recordExport(jobId, job);
                default -> {}
            }
        } catch (RuntimeException e) {
            LOG.error("recording what model job {} made failed", jobId, e);
        }
    }

    private void recordTest(String jobId, ModelJob job) {
        database.writeVoid(handle -> {
            ArtifactStore.ArtifactRow results = handle.attach(ArtifactStore.class)
                    .find(jobId, "results.json")
                    .orElse(null);
            if (results == null) {
                LOG.warn("test job {} completed without results", jobId);
                return;
            }
            try {
                String json =
                        mapper.writeValueAsString(mapper.readTree(Files.readString(blobs.path(results.sha256()))));
                handle.attach(ModelStore.class).setTestResults(job.modelId(), job.version(), json);
            } catch (IOException e) {
                LOG.warn("unreadable results of test job {}: {}", jobId, e.getMessage());
            }
        });
    }

    private void recordExport(String jobId, ModelJob job) {
        database.writeVoid(handle -> {
            List<ArtifactStore.ArtifactRow> files =
                    handle.attach(ArtifactStore.class).list(jobId);
            boolean custom = "custom".equals(job.format());
            if (files.isEmpty() || (!custom && files.size() != 1)) {
                LOG.warn("export job {} completed with {} files", jobId, files.size());
                return;
            }
            for (ArtifactStore.ArtifactRow file : files) {
                String format = custom
                        ? (file.name().contains(".")
                                ? file.name().substring(file.name().lastIndexOf('.') + 1)
                                : "file")
                        : job.format();
                handle.attach(ModelStore.class)
                        .upsertExport(new ModelStore.ExportRow(
                                Ids.newId("e"),
                                job.modelId(),
                                job.version(),
                                file.name(),
                                format,
                                jobId,
                                file.sha256(),
                                file.sizeBytes(),
                                clock.instant()));
            }
        });
    }

    /** A training job COMPLETED: its uploaded model becomes the model's next version. */
    private void recordVersion(String jobId, String modelId) {
        try {
            database.writeVoid(handle -> {
                ArtifactStore artifacts = handle.attach(ArtifactStore.class);
                // The built-in trainer uploads model.tribuo; a custom model's first other file is its model.
                ArtifactStore.ArtifactRow file = artifacts
                        .find(jobId, "model.tribuo")
                        .or(() -> artifacts.list(jobId).stream()
                                .filter(artifact -> !artifact.name().equals("results.json"))
                                .findFirst())
                        .orElse(null);
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
                        com.fasterxml.jackson.databind.JsonNode tree =
                                mapper.readTree(Files.readString(blobs.path(results.sha256())));
                        metrics = mapper.writeValueAsString(tree.has("metrics") ? tree.get("metrics") : tree);
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
                        null,
                        clock.instant()));
            });
        } catch (RuntimeException e) {
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
                        version.testResults() == null ? null : read(version.testResults()),
                        version.sizeBytes(),
                        version.sha256(),
                        version.createdAt()))
                .toList();
        return new Model(
                row.id(),
                row.name(),
                row.projectId(),
                row.task(),
                row.kind(),
                row.datasetId(),
                row.targetColumn(),
                readList(row.featureColumns()),
                row.algorithm(),
                read(row.hyperparameters()),
                readCommands(row.commands()),
                versions,
                row.createdBy(),
                row.createdAt());
    }

    private List<String> readList(String json) {
        try {
            return mapper.readValue(json, new TypeReference<List<String>>() {});
        } catch (JsonProcessingException e) {
            return List.of();
        }
    }

    private Map<String, String> readCommands(String json) {
        try {
            return mapper.readValue(json, new TypeReference<Map<String, String>>() {});
        } catch (JsonProcessingException e) {
            return Map.of();
        }
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
