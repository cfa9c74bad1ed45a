package dev.trainyard.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.trainyard.api.CreateModelRequest;
import dev.trainyard.api.ExportModelRequest;
import dev.trainyard.api.Job;
import dev.trainyard.api.Model;
import dev.trainyard.api.PredictRequest;
import dev.trainyard.api.Predictions;
import dev.trainyard.api.TestModelRequest;
import dev.trainyard.api.TrainModelRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "models", description = "Models of a project: create, train, test, export, predict.")
final class ModelsCommand {
    private final Cli cli;

    ModelsCommand(Cli cli) {
        this.cli = cli;
    }

    @Command(name = "list", description = "A project's models with their latest version's metrics.")
    int list(@Mixin Output output, @Option(names = "--project", required = true) String project) {
        List<Model> models = cli.client().models(project).toList();
        print(output, models, models);
        return Cli.ExitCode.OK;
    }

    @Command(
            name = "create",
            description = "Create a built-in model on a CSV dataset.",
            footer = {"", "Example:", "  trainyard models create --project p-1 --dataset d-2 --target species iris"})
    int create(
            @Mixin Output output,
            @Option(names = "--project", required = true) String project,
            @Option(names = "--dataset", required = true) String dataset,
            @Option(names = "--target", required = true, description = "The column to predict") String target,
            @Option(names = "--task", defaultValue = "classification") String task,
            @Option(names = "--algorithm", defaultValue = "linear", description = "linear or cart") String algorithm,
            @Option(names = "--feature", description = "A feature column, repeatable (default: all others)")
                    List<String> features,
            @Parameters(paramLabel = "NAME") String name) {
        Model model = cli.client()
                .createModel(
                        project,
                        new CreateModelRequest(
                                name, task, dataset, target, features, algorithm, null, null, null, null, null));
        print(output, model, List.of(model));
        return Cli.ExitCode.OK;
    }

    @Command(name = "train", description = "Queue training; prints the job (follow it with 'jobs wait').")
    int train(
            @Mixin Output output,
            @Option(names = "--project", required = true) String project,
            @Option(names = "--epochs") Integer epochs,
            @Parameters(paramLabel = "MODEL") String model) {
        printJob(output, cli.client().trainModel(project, model, new TrainModelRequest(epochs, null, null, null)));
        return Cli.ExitCode.OK;
    }

    @Command(
            name = "test",
            description = "Queue a test of the latest version (or --version) on --dataset or held-out rows.")
    int test(
            @Mixin Output output,
            @Option(names = "--project", required = true) String project,
            @Option(names = "--dataset") String dataset,
            @Option(names = "--version") Integer version,
            @Parameters(paramLabel = "MODEL") String model) {
        printJob(output, cli.client().testModel(project, model, new TestModelRequest(dataset, version)));
        return Cli.ExitCode.OK;
    }

    @Command(name = "export", description = "Queue an export: --format onnx (linear models) or native.")
    int export(
            @Mixin Output output,
            @Option(names = "--project", required = true) String project,
            @Option(names = "--format", defaultValue = "onnx") String format,
            @Option(names = "--version") Integer version,
            @Parameters(paramLabel = "MODEL") String model) {
        printJob(output, cli.client().exportModel(project, model, new ExportModelRequest(format, version)));
        return Cli.ExitCode.OK;
    }

    @Command(
            name = "predict",
            description = "Predict rows given as JSON: [{\"x\": 1.5, \"y\": 2}, ...].",
            footer = {"", "Example:", "  trainyard models predict --project p-1 m-2 '[{\"x\": 1.5, \"y\": -0.3}]'"})
    int predict(
            @Mixin Output output,
            @Option(names = "--project", required = true) String project,
            @Parameters(index = "0", paramLabel = "MODEL") String model,
            @Parameters(index = "1", paramLabel = "ROWS") String rows)
            throws Exception {
        List<Map<String, Object>> parsed = cli.json.readValue(rows, new TypeReference<>() {});
        Predictions predictions = cli.client().predict(project, model, new PredictRequest(parsed));
        cli.print(
                output,
                predictions,
                List.of("ROW", "PREDICTION"),
                java.util.stream.IntStream.range(0, predictions.predictions().size())
                        .mapToObj(i -> List.of(
                                String.valueOf(i),
                                String.valueOf(predictions.predictions().get(i).output())))
                        .toList());
        return Cli.ExitCode.OK;
    }

    private void printJob(Output output, Job job) {
        cli.print(
                output,
                job,
                List.of("JOB", "NAME", "STATE"),
                List.of(List.of(job.id(), job.name(), job.state().name())));
    }

    private void print(Output output, Object value, List<Model> models) {
        Instant now = Instant.now();
        cli.print(
                output,
                value,
                List.of("ID", "NAME", "TASK", "ALGORITHM", "VERSIONS", "LATEST METRICS", "CREATED"),
                models.stream()
                        .map(model -> List.of(
                                model.id(),
                                model.name(),
                                model.task(),
                                model.algorithm(),
                                String.valueOf(model.versions().size()),
                                model.versions().isEmpty()
                                        ? "-"
                                        : summary(model.versions().getFirst().metrics()),
                                Table.ago(model.createdAt(), now)))
                        .toList());
    }

    private static String summary(Map<String, Object> metrics) {
        StringBuilder text = new StringBuilder();
        for (String name : List.of("accuracy", "macro_f1", "rmse", "r2")) {
            Object value = metrics.get(name);
            if (value instanceof Number number) {
                text.append(text.isEmpty() ? "" : " ")
                        .append(name)
                        .append('=')
                        .append(String.format(java.util.Locale.ROOT, "%.4f", number.doubleValue()));
            }
        }
        return text.isEmpty() ? "-" : text.toString();
    }
}
