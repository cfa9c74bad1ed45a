package dev.trainyard.cli;

import dev.trainyard.api.CreateJobRequest;
import dev.trainyard.api.Job;
import dev.trainyard.api.JobLogs;
import dev.trainyard.api.JobProgress;
import dev.trainyard.api.JobState;
import dev.trainyard.api.MetricSeries;
import dev.trainyard.client.Trainyard;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "jobs", description = "Submit, watch and stop jobs.")
final class JobsCommand {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");

    private final Cli cli;

    JobsCommand(Cli cli) {
        this.cli = cli;
    }

    @Command(
            name = "submit",
            description =
                    "Submit a job: flags, a job file (-f, YAML or JSON with the API's fields), or both (flags win).",
            footer = {
                "",
                "Examples:",
                "  trainyard jobs submit --project p-123 --gpus 2 --gpu-type H100 --cpu 8 --memory 32 --expires 4h \\",
                "      --env WANDB_MODE=offline -- python train.py --epochs 10",
                "  trainyard jobs submit -f job.yaml"
            })
    int submit(
            @Mixin Output output,
            @Option(
                            names = {"-f", "--file"},
                            description = "A job file, YAML or JSON.")
                    Path file,
            @Option(names = "--project") String project,
            @Option(names = "--name") String name,
            @Option(names = "--gpus") Integer gpus,
            @Option(names = "--gpu-type") String gpuType,
            @Option(names = "--cpu") Integer cpu,
            @Option(names = "--memory", description = "GB") BigDecimal memory,
            @Option(names = "--expires", description = "90s, 30m, 4h, 2d") String expires,
            @Option(names = "--priority") Integer priority,
            @Option(names = "--setup", description = "Command run before the job's own.") String setup,
            @Option(names = "--env", description = "K=V, repeatable") Map<String, String> env,
            @Option(names = "--tag", description = "repeatable") List<String> tags,
            @Option(names = "--dataset", description = "A dataset id the job reads, repeatable") List<String> datasets,
            @Option(names = "--idempotency-key", description = "Retries with the same key answer the same job.")
                    String idempotencyKey,
            @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command, after --")
                    List<String> command)
            throws Exception {
        CreateJobRequest base = file == null
                ? CreateJobRequest.command(null, null, null)
                : (file.toString().endsWith(".json") ? cli.json : cli.yaml)
                        .readValue(file.toFile(), CreateJobRequest.class);
        String runCommand = command == null || command.isEmpty() ? base.runCommand() : shellJoin(command);
        if (runCommand == null) {
            throw new IllegalArgumentException("give the command after '--', or run_command in the job file");
        }
        Map<String, String> environment = new LinkedHashMap<>();
        if (base.envVars() != null) {
            environment.putAll(base.envVars());
        }
        if (env != null) {
            environment.putAll(env);
        }
        CreateJobRequest request = new CreateJobRequest(
                name != null ? name : base.name(),
                project != null ? project : base.project(),
                base.description(),
                gpuType != null ? gpuType : base.gpuType(),
                gpus != null ? gpus : base.gpus(),
                cpu != null ? cpu : base.cpuCores(),
                memory != null ? memory : base.memoryGb(),
                base.hddSizeMb(),
                base.image(),
                setup != null ? setup : base.setupCommand(),
                runCommand,
                environment.isEmpty() ? null : environment,
                expires != null ? expires : base.expires(),
                priority != null ? priority : base.priority(),
                tags != null ? tags : base.tags(),
                base.maxCost(),
                datasets != null ? datasets : base.datasets());
        if (request.project() == null) {
            throw new IllegalArgumentException("--project is required (or project in the job file)");
        }
        Job job = cli.client().submitJob(request, idempotencyKey);
        print(output, job, List.of(job));
        return Cli.ExitCode.OK;
    }

    @Command(name = "list", description = "Jobs, newest first.")
    int list(
            @Mixin Output output,
            @Option(names = "--project") String project,
            @Option(names = "--status", description = "e.g. running") String status,
            @Option(names = "--take", defaultValue = "50") int take) {
        List<Job> jobs;
        try (Stream<Job> stream = cli.client().jobs(project, status)) {
            jobs = new ArrayList<>(stream.limit(take).toList());
        }
        print(output, jobs, jobs);
        return Cli.ExitCode.OK;
    }

    @Command(name = "get", description = "Show a job.")
    int get(@Mixin Output output, @Parameters(paramLabel = "JOB") String id) {
        Job job = cli.client().getJob(id);
        print(output, job, List.of(job));
        return Cli.ExitCode.OK;
    }

    @Command(name = "stop", description = "Stop a job (SIGTERM, then SIGKILL after the grace period).")
    int stop(@Mixin Output output, @Parameters(paramLabel = "JOB") String id) {
        Job job = cli.client().stopJob(id);
        print(output, job, List.of(job));
        return Cli.ExitCode.OK;
    }

    @Command(
            name = "logs",
            description = "A job's output; -f follows it until the job ends.",
            footer = {"", "Example:", "  trainyard jobs logs -f j-456"})
    int logs(
            @Parameters(paramLabel = "JOB") String id,
            @Option(names = {"-f", "--follow"}) boolean follow,
            @Option(names = "--offset", defaultValue = "0") long offset) {
        Trainyard client = cli.client();
        if (follow) {
            try (Stream<JobLogs.Line> lines = client.followLogs(id, offset)) {
                lines.forEach(line -> {
                    cli.out.println(line.text());
                    cli.out.flush();
                });
            }
            return Cli.ExitCode.OK;
        }
        long next = offset;
        while (true) {
            JobLogs page = client.logs(id, next, 10_000);
            page.lines().forEach(line -> cli.out.println(line.text()));
            if (page.lines().isEmpty()) {
                break;
            }
            next = page.nextOffset();
        }
        cli.out.flush();
        return Cli.ExitCode.OK;
    }

    @Command(
            name = "wait",
            description =
                    "Wait for a job to end, with a progress bar (percent, epoch, ETA); exit 0 if it COMPLETED, 1 if not.")
    int await(@Mixin Output output, @Parameters(paramLabel = "JOB") String id) {
        Trainyard client = cli.client();
        Job ended;
        try (ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(id)
                .setInitialMax(1000)
                .setStyle(ProgressBarStyle.ASCII)
                .continuousUpdate()
                .setConsumer(new DelegatingProgressBarConsumer(line -> {
                    cli.err.print("\r" + line);
                    cli.err.flush();
                }))
                .build()) {
            ended = client.awaitJob(id, Duration.ofMillis(500), progress -> update(bar, progress));
        }
        cli.err.println();
        print(output, ended, List.of(ended));
        return ended.state() == JobState.COMPLETED ? Cli.ExitCode.OK : Cli.ExitCode.JOB_FAILED;
    }

    private static void update(ProgressBar bar, JobProgress progress) {
        if (progress.percent() != null) {
            bar.stepTo(Math.round(progress.percent() * 10));
        }
        StringBuilder extra = new StringBuilder(progress.state().name().toLowerCase(java.util.Locale.ROOT));
        if (progress.epoch() != null) {
            extra.append(" epoch ").append(progress.epoch());
            if (progress.totalEpochs() != null) {
                extra.append('/').append(progress.totalEpochs());
            }
        }
        if (progress.etaSeconds() != null) {
            extra.append(" eta ").append(progress.etaSeconds()).append('s');
        }
        bar.setExtraMessage(extra.toString());
    }

    @Command(name = "metrics", description = "A job's metric series (downsampled to --max-points).")
    int metrics(
            @Mixin Output output,
            @Parameters(paramLabel = "JOB") String id,
            @Parameters(paramLabel = "NAME") String name,
            @Option(names = "--max-points", defaultValue = "50") int maxPoints) {
        MetricSeries series = cli.client().metric(id, name, maxPoints);
        cli.print(
                output,
                series,
                List.of("TIME", "STEP", name.toUpperCase(java.util.Locale.ROOT)),
                series.points().stream()
                        .map(point -> Arrays.asList(
                                point.time().toString(),
                                point.step() == null ? null : point.step().toString(),
                                String.valueOf(point.value())))
                        .toList());
        return Cli.ExitCode.OK;
    }

    private void print(Output output, Object value, List<Job> jobs) {
        Instant now = Instant.now();
        cli.print(
                output,
                value,
                List.of("ID", "NAME", "STATE", "PROGRESS", "COST", "CREATED", "REASON"),
                jobs.stream()
                        .map(job -> Arrays.asList(
                                job.id(),
                                job.name(),
                                job.state().name(),
                                job.progress() == null
                                        ? "-"
                                        : String.format(java.util.Locale.ROOT, "%.0f%%", job.progress()),
                                job.totalCost() == null ? "-" : job.totalCost().toPlainString(),
                                Table.ago(job.createdAt(), now),
                                job.pendingReason() != null ? job.pendingReason() : job.reason()))
                        .toList());
    }

    /** The arguments as one shell command line, quoting what needs it. */
    static String shellJoin(List<String> arguments) {
        List<String> quoted = new ArrayList<>();
        for (String argument : arguments) {
            quoted.add(PLAIN.matcher(argument).matches() ? argument : "'" + argument.replace("'", "'\\''") + "'");
        }
        return String.join(" ", quoted);
    }
}
