package dev.trainyard.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tribuo.DataSource;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.dtree.CARTClassificationTrainer;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.data.csv.CSVLoader;
import org.tribuo.evaluation.TrainTestSplitter;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.evaluation.RegressionEvaluation;
import org.tribuo.regression.evaluation.RegressionEvaluator;
import org.tribuo.regression.rtree.CARTRegressionTrainer;
import org.tribuo.regression.sgd.objectives.SquaredLoss;

/**
 * The built-in trainer: runs inside an ordinary Trainyard job (no Python), reads its settings
 * from {@code TRAINER_SPEC} (JSON), trains a Tribuo model on a CSV dataset with a seeded
 * train/test split, reports progress and metrics with marker lines on stdout, and uploads the model
 * ({@code model.tribuo}) and its evaluation ({@code results.json}) through the job's own reporting
 * channel ({@code TRAINYARD_JOB_TOKEN}). A job that is stopped uploads nothing, so no half-made
 * model version can appear.
 *
 * <p>Spec: {@code {"task": "classification"|"regression", "algorithm": "linear"|"cart", "dataset":
 * path (or "dataset_env": the variable holding it), "target": column, "epochs": 10, "seed": 42, "learning_rate": 0.5, "max_depth": 8,
 * "test_fraction": 0.2}}. Every column but the target is a numeric feature.
 */
public final class BuiltInTrainer {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern SGD_LOG = Pattern.compile("At iteration (\\d+), average loss = ([-0-9.Ee]+)");

    private final PrintStream out;

    BuiltInTrainer(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        String spec = System.getenv("TRAINER_SPEC");
        if (spec == null || spec.isBlank()) {
            System.err.println("TRAINER_SPEC is not set: the trainer runs inside a Trainyard job");
            System.exit(2);
        }
        Path work = Path.of(System.getProperty("user.dir"));
        JsonNode settings = MAPPER.readTree(spec);
        BuiltInTrainer trainer = new BuiltInTrainer(System.out);
        switch (text(settings, "mode", "train")) {
            case "train" -> {
                Result result = trainer.train(settings, work);
                upload(result.model(), "model.tribuo");
                upload(result.results(), "results.json");
            }
            case "test" -> upload(trainer.test(settings, work), "results.json");
            case "export" -> {
                Path exported = trainer.export(settings, work);
                upload(
                        exported,
                        text(settings, "export_name", exported.getFileName().toString()));
            }
            default -> throw new IllegalArgumentException("mode must be train, test or export");
        }
        System.out.println("[trainer] done; files uploaded");
    }

    /**
     * Evaluates a trained model on a dataset: all of its rows, or when {@code held_out} is set the
     * same seeded test split the training used. Returns the results file.
     */
    @SuppressWarnings("unchecked")
    Path test(JsonNode spec, Path work) throws IOException {
        Model<?> model = Model.deserializeFromFile(Path.of(System.getenv(text(spec, "model_env", null))));
        Path dataset = Path.of(
                spec.has("dataset_env")
                        ? System.getenv(spec.get("dataset_env").asText())
                        : text(spec, "dataset", null));
        String target = text(spec, "target", null);
        boolean heldOut = spec.path("held_out").asBoolean(false);
        long seed = spec.path("seed").asLong(42);
        double testFraction = spec.path("test_fraction").asDouble(0.2);
        marker("progress percent=10 message=\"testing on " + dataset.getFileName() + "\"");
        Map<String, Object> metrics = new LinkedHashMap<>();
        if (text(spec, "task", "classification").equals("classification")) {
            DataSource<Label> source = new CSVLoader<>(new LabelFactory()).loadDataSource(dataset, target);
            MutableDataset<Label> rows = new MutableDataset<>(
                    heldOut ? new TrainTestSplitter<>(source, 1 - testFraction, seed).getTest() : source);
            LabelEvaluation evaluation = new LabelEvaluator().evaluate((Model<Label>) model, rows);
            metrics.put("accuracy", evaluation.accuracy());
            metrics.put("macro_f1", evaluation.macroAveragedF1());
            metrics.put("confusion_matrix", evaluation.getConfusionMatrix().toString());
            metrics.put("test_rows", rows.size());
        } else {
            DataSource<Regressor> source = new CSVLoader<>(new RegressionFactory()).loadDataSource(dataset, target);
            MutableDataset<Regressor> rows = new MutableDataset<>(
                    heldOut ? new TrainTestSplitter<>(source, 1 - testFraction, seed).getTest() : source);
            RegressionEvaluation evaluation = new RegressionEvaluator().evaluate((Model<Regressor>) model, rows);
            Regressor dimension = evaluation.rmse().keySet().iterator().next();
            metrics.put("rmse", evaluation.rmse(dimension));
            metrics.put("mae", evaluation.mae(dimension));
            metrics.put("r2", evaluation.r2(dimension));
            metrics.put("test_rows", rows.size());
        }
        StringBuilder line = new StringBuilder("metric");
        metrics.forEach((name, value) -> {
            if (value instanceof Number number) {
                line.append(' ').append("test_").append(name).append('=').append(number);
            }
        });
        marker(line.toString());
        ObjectNode results = MAPPER.createObjectNode();
        results.put("dataset", dataset.getFileName().toString()).put("held_out", heldOut);
        results.set("metrics", MAPPER.valueToTree(metrics));
        Path file = work.resolve("results.json");
        MAPPER.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), results);
        marker("progress percent=100 message=\"tested\"");
        return file;
    }

    /** Writes the model as ONNX (linear models) or in Tribuo's own format ("native"). */
    Path export(JsonNode spec, Path work) throws IOException {
        Path source = Path.of(System.getenv(text(spec, "model_env", null)));
        String format = text(spec, "format", "onnx");
        marker("progress percent=10 message=\"exporting as " + format + "\"");
        Path target;
        if (format.equals("native")) {
            target = work.resolve("model.tribuo");
            Files.copy(source, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } else if (format.equals("onnx")) {
            Model<?> model = Model.deserializeFromFile(source);
            if (!(model instanceof org.tribuo.ONNXExportable exportable)) {
                throw new IllegalArgumentException(model.getClass().getSimpleName() + " cannot be exported as ONNX");
            }
            target = work.resolve("model.onnx");
            exportable.saveONNXModel("dev.trainyard", spec.path("version").asLong(1), target);
        } else {
            throw new IllegalArgumentException("format must be onnx or native");
        }
        marker("progress percent=100 message=\"exported\"");
        return target;
    }

    /** What a training run leaves: the model file and its evaluation file. */
    record Result(Path model, Path results, Map<String, Object> metrics) {}

    Result train(JsonNode spec, Path work) throws IOException {
        String task = text(spec, "task", "classification");
        String algorithm = text(spec, "algorithm", "linear");
        Path dataset = Path.of(
                spec.has("dataset_env")
                        ? System.getenv(spec.get("dataset_env").asText())
                        : text(spec, "dataset", null));
        String target = text(spec, "target", null);
        int epochs = spec.path("epochs").asInt(10);
        long seed = spec.path("seed").asLong(42);
        double testFraction = spec.path("test_fraction").asDouble(0.2);
        int maxDepth = spec.path("max_depth").asInt(8);
        double learningRate = spec.path("learning_rate").asDouble(0.5);
        marker("progress percent=0 message=\"loading " + dataset.getFileName() + "\"");
        dataset = selectColumns(dataset, target, spec.path("feature_columns"), work);

        Map<String, Object> metrics = new LinkedHashMap<>();
        Model<?> model;
        if (task.equals("classification")) {
            DataSource<Label> source = new CSVLoader<>(new LabelFactory()).loadDataSource(dataset, target);
            TrainTestSplitter<Label> split = new TrainTestSplitter<>(source, 1 - testFraction, seed);
            // Train / validation / test: a tenth of the training rows is held out for validation.
            TrainTestSplitter<Label> validation = new TrainTestSplitter<>(split.getTrain(), 0.9, seed + 1);
            MutableDataset<Label> train = new MutableDataset<>(validation.getTrain());
            MutableDataset<Label> validate = new MutableDataset<>(validation.getTest());
            MutableDataset<Label> test = new MutableDataset<>(split.getTest());
            Progress progress = new Progress(train.size(), epochs);
            Trainer<Label> trainer = algorithm.equals("cart")
                    ? new CARTClassificationTrainer(maxDepth)
                    : new org.tribuo.classification.sgd.linear.LinearSGDTrainer(
                            new LogMulticlass(), new AdaGrad(learningRate, 0.1), epochs, train.size(), 1, seed);
            Model<Label> trained = progress.around(() -> trainer.train(train));
            LabelEvaluation evaluation = new LabelEvaluator().evaluate(trained, test);
            metrics.put("accuracy", evaluation.accuracy());
            metrics.put("macro_f1", evaluation.macroAveragedF1());
            metrics.put("confusion_matrix", evaluation.getConfusionMatrix().toString());
            metrics.put("test_rows", test.size());
            metrics.put(
                    "validation_accuracy",
                    new LabelEvaluator().evaluate(trained, validate).accuracy());
            metrics.put("validation_rows", validate.size());
            model = trained;
        } else if (task.equals("regression")) {
            RegressionFactory factory = new RegressionFactory();
            DataSource<Regressor> source = new CSVLoader<>(factory).loadDataSource(dataset, target);
            TrainTestSplitter<Regressor> split = new TrainTestSplitter<>(source, 1 - testFraction, seed);
            TrainTestSplitter<Regressor> validation = new TrainTestSplitter<>(split.getTrain(), 0.9, seed + 1);
            MutableDataset<Regressor> train = new MutableDataset<>(validation.getTrain());
            MutableDataset<Regressor> validate = new MutableDataset<>(validation.getTest());
            MutableDataset<Regressor> test = new MutableDataset<>(split.getTest());
            Progress progress = new Progress(train.size(), epochs);
            Trainer<Regressor> trainer = algorithm.equals("cart")
                    ? new CARTRegressionTrainer(maxDepth)
                    : new org.tribuo.regression.sgd.linear.LinearSGDTrainer(
                            new SquaredLoss(), new AdaGrad(learningRate, 0.1), epochs, train.size(), 1, seed);
            Model<Regressor> trained = progress.around(() -> trainer.train(train));
            RegressionEvaluation evaluation = new RegressionEvaluator().evaluate(trained, test);
            Regressor dimension = evaluation.rmse().keySet().iterator().next();
            RegressionEvaluation validated = new RegressionEvaluator().evaluate(trained, validate);
            metrics.put("rmse", evaluation.rmse(dimension));
            metrics.put("mae", evaluation.mae(dimension));
            metrics.put("r2", evaluation.r2(dimension));
            metrics.put("test_rows", test.size());
            metrics.put(
                    "validation_rmse",
                    validated.rmse(validated.rmse().keySet().iterator().next()));
            metrics.put("validation_rows", validate.size());
            model = trained;
        } else {
            throw new IllegalArgumentException("task must be classification or regression, not " + task);
        }
        StringBuilder line = new StringBuilder("metric");
        metrics.forEach((name, value) -> {
            if (value instanceof Number number) {
                line.append(' ').append(name).append('=').append(number);
            }
        });
        marker(line.toString());
        Path modelFile = work.resolve("model.tribuo");
        model.serializeToFile(modelFile);
        ObjectNode results = MAPPER.createObjectNode();
        results.put("task", task).put("algorithm", algorithm).put("seed", seed).put("epochs", epochs);
        results.set("metrics", MAPPER.valueToTree(metrics));
        Path resultsFile = work.resolve("results.json");
        MAPPER.writerWithDefaultPrettyPrinter().writeValue(resultsFile.toFile(), results);
        marker("progress percent=100 message=\"trained\"");
        return new Result(modelFile, resultsFile, metrics);
    }

    /**
     * Turns the SGD trainer's once-an-epoch log line ("At iteration N, average loss = L", with the
     * logging interval set to one epoch of examples) into progress and loss markers.
     */
    private final class Progress extends Handler {
        private final int examplesPerEpoch;
        private final int epochs;

        Progress(int examplesPerEpoch, int epochs) {
            this.examplesPerEpoch = Math.max(1, examplesPerEpoch);
            this.epochs = epochs;
        }

        <M> M around(java.util.function.Supplier<M> training) {
            Logger logger = Logger.getLogger(org.tribuo.common.sgd.AbstractSGDTrainer.class.getName());
            logger.addHandler(this);
            marker("progress percent=5 message=\"training\"");
            try {
                return training.get();
            } finally {
                logger.removeHandler(this);
            }
        }

        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() < Level.INFO.intValue() || record.getMessage() == null) {
                return;
            }
            Matcher matched = SGD_LOG.matcher(record.getMessage());
            if (matched.find()) {
                int epoch = (int) Math.min(epochs, Long.parseLong(matched.group(1)) / examplesPerEpoch);
                marker("progress epoch=" + epoch + " total_epochs=" + epochs);
                marker("metric loss=" + Double.parseDouble(matched.group(2)) + " step=" + epoch);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    /**
     * The dataset with only the chosen feature columns and the target, written to the working
     * folder; the dataset itself when no columns are chosen (every other column is a feature).
     */
    static Path selectColumns(Path dataset, String target, JsonNode columns, Path work) throws IOException {
        if (columns == null || !columns.isArray() || columns.isEmpty()) {
            return dataset;
        }
        java.util.List<String> keep = new java.util.ArrayList<>();
        columns.forEach(column -> keep.add(column.asText()));
        keep.remove(target);
        keep.add(target);
        Path selected = work.resolve("selected-columns.csv");
        try (org.tribuo.data.csv.CSVIterator rows =
                        new org.tribuo.data.csv.CSVIterator(Files.newBufferedReader(dataset, StandardCharsets.UTF_8));
                java.io.BufferedWriter out = Files.newBufferedWriter(selected, StandardCharsets.UTF_8)) {
            out.write(
                    String.join(",", keep.stream().map(BuiltInTrainer::csvField).toList()));
            out.newLine();
            while (rows.hasNext()) {
                Map<String, String> row = rows.next().getRowData();
                java.util.List<String> fields = new java.util.ArrayList<>(keep.size());
                for (String column : keep) {
                    String value = row.get(column);
                    if (value == null) {
                        throw new IllegalArgumentException("the dataset has no column " + column);
                    }
                    fields.add(csvField(value));
                }
                out.write(String.join(",", fields));
                out.newLine();
            }
        }
        return selected;
    }

    private static String csvField(String value) {
        return value.contains(",") || value.contains("\"") || value.contains("\n")
                ? "\"" + value.replace("\"", "\"\"") + "\""
                : value;
    }

    private void marker(String text) {
        out.println("::trainyard " + text);
        out.flush();
    }

    private static String text(JsonNode spec, String field, String fallback) {
        JsonNode value = spec.get(field);
        if (value == null || value.isNull()) {
            if (fallback == null) {
                throw new IllegalArgumentException(field + " is required in TRAINER_SPEC");
            }
            return fallback;
        }
        return value.asText();
    }

    /** Uploads a file as an artifact of this job, with its own token. */
    private static void upload(Path file, String name) throws IOException, InterruptedException {
        String url = System.getenv("TRAINYARD_URL") + "/api/jobs/" + System.getenv("TRAINYARD_JOB_ID")
                + "/artifacts?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8);
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> answer = client.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .header("Authorization", "Bearer " + System.getenv("TRAINYARD_JOB_TOKEN"))
                            .header("Content-Type", "application/octet-stream")
                            .POST(HttpRequest.BodyPublishers.ofFile(file))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 201) {
                throw new IOException("uploading " + name + " failed: " + answer.statusCode() + " " + answer.body());
            }
        }
        if (Files.size(file) == 0) {
            throw new IOException(name + " is empty");
        }
    }
}
