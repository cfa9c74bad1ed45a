package dev.trainyard.server.job;

import dev.trainyard.api.CreateJobRequest;
import dev.trainyard.api.Problem.FieldError;
import dev.trainyard.server.common.Durations;
import dev.trainyard.server.common.TrainyardException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Checks a job submission and turns it into values with defaults filled in; every problem at once. */
final class JobRequests {
    static final int MAX_ENV_VARS = 100;
    static final int MAX_ENV_BYTES = 256 * 1024;
    static final int MAX_COMMAND_LENGTH = 64 * 1024;
    static final Duration MAX_EXPIRES = Duration.ofDays(30);

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9._:/-]{1,64}");

    private JobRequests() {}

    /** A submission with every default applied. */
    record Validated(
            String name,
            String projectId,
            String description,
            String gpuType,
            int gpus,
            int cpuCores,
            long memoryMb,
            long hddSizeMb,
            String image,
            String setupCommand,
            String runCommand,
            Map<String, String> envVars,
            String expires,
            Duration expiresAfter,
            int priority,
            List<String> tags,
            Long maxCostMicros,
            List<String> datasets) {}

    static Validated validate(CreateJobRequest request) {
        List<FieldError> errors = new ArrayList<>();
        String project = trimmed(request.project());
        if (project == null) {
            errors.add(new FieldError("project", "is required: the id of a project you can write to"));
        }
        String runCommand =
                request.runCommand() == null || request.runCommand().isBlank() ? null : request.runCommand();
        if (runCommand == null) {
            errors.add(new FieldError("run_command", "is required"));
        } else if (runCommand.length() > MAX_COMMAND_LENGTH) {
            errors.add(new FieldError("run_command", "is longer than " + MAX_COMMAND_LENGTH + " characters"));
        }
        String setupCommand =
                request.setupCommand() == null || request.setupCommand().isBlank() ? null : request.setupCommand();
        if (setupCommand != null && setupCommand.length() > MAX_COMMAND_LENGTH) {
            errors.add(new FieldError("setup_command", "is longer than " + MAX_COMMAND_LENGTH + " characters"));
        }
        String name = trimmed(request.name());
        if (name != null && name.length() > 200) {
            errors.add(new FieldError("name", "is longer than 200 characters"));
        }
        String description =
                request.description() == null ? "" : request.description().trim();
        if (description.length() > 10_000) {
            errors.add(new FieldError("description", "is longer than 10000 characters"));
        }
        String gpuType = trimmed(request.gpuType());
        if (gpuType != null && gpuType.length() > 100) {
            errors.add(new FieldError("gpu_type", "is longer than 100 characters"));
        }
        int gpus = range(errors, "gpus", request.gpus(), gpuType == null ? 0 : 1, 0, 64);
        int cpuCores = range(errors, "cpu_cores", request.cpuCores(), 1, 1, 1024);
        long memoryMb = memory(errors, request.memoryGb());
        long hddSizeMb = request.hddSizeMb() == null ? 10_240 : request.hddSizeMb();
        if (hddSizeMb < 1 || hddSizeMb > 100_000_000L) {
            errors.add(new FieldError("hdd_size_mb", "must be between 1 and 100000000"));
        }
        int priority = range(errors, "priority", request.priority(), 50, 0, 100);
        String image = trimmed(request.image());
        if (image != null && image.length() > 500) {
            errors.add(new FieldError("image", "is longer than 500 characters"));
        }
        Duration expiresAfter = expires(errors, request.expires());
        Map<String, String> envVars = environment(errors, request.envVars());
        List<String> tags = tags(errors, request.tags());
        Long maxCost = maxCost(errors, request.maxCost());
        List<String> datasets = datasets(errors, request.datasets());
        if (!errors.isEmpty()) {
            throw TrainyardException.invalid(errors);
        }
        return new Validated(
                name == null ? "job" : name,
                project,
                description,
                gpuType,
                gpus,
                cpuCores,
                memoryMb,
                hddSizeMb,
                image,
                setupCommand,
                runCommand,
                envVars,
                request.expires() == null ? null : request.expires().trim(),
                expiresAfter,
                priority,
                tags,
                maxCost,
                datasets);
    }

    /** Dataset ids: at most 20, no repeats (whether they exist is checked against the project). */
    private static List<String> datasets(List<FieldError> errors, List<String> ids) {
        if (ids == null) {
            return List.of();
        }
        if (ids.size() > 20) {
            errors.add(new FieldError("datasets", "at most 20 datasets a job"));
            return List.of();
        }
        List<String> distinct = new ArrayList<>();
        for (String id : ids) {
            if (id == null || id.isBlank()) {
                errors.add(new FieldError("datasets", "holds an empty id"));
            } else if (!distinct.contains(id.strip())) {
                distinct.add(id.strip());
            }
        }
        return List.copyOf(distinct);
    }

    /** A budget in micro-credits: positive, at most six decimal places. */
    private static Long maxCost(List<FieldError> errors, java.math.BigDecimal credits) {
        if (credits == null) {
            return null;
        }
        try {
            long micros = dev.trainyard.server.credit.Money.micros(credits);
            if (micros <= 0) {
                errors.add(new FieldError("max_cost", "must be more than 0 credits"));
            }
            return micros;
        } catch (ArithmeticException e) {
            errors.add(new FieldError("max_cost", "must have at most 6 decimal places and fit the ledger"));
            return null;
        }
    }

    private static int range(List<FieldError> errors, String field, Integer value, int fallback, int min, int max) {
        int actual = value == null ? fallback : value;
        if (actual < min || actual > max) {
            errors.add(new FieldError(field, "must be between " + min + " and " + max));
        }
        return actual;
    }

    private static long memory(List<FieldError> errors, BigDecimal memoryGb) {
        if (memoryGb == null) {
            return 1024;
        }
        if (memoryGb.signum() <= 0 || memoryGb.compareTo(BigDecimal.valueOf(4096)) > 0) {
            errors.add(new FieldError("memory_gb", "must be more than 0 and at most 4096"));
            return 1024;
        }
        return Math.max(
                1,
                memoryGb.multiply(BigDecimal.valueOf(1024))
                        .setScale(0, RoundingMode.CEILING)
                        .longValue());
    }

    private static Duration expires(List<FieldError> errors, String expires) {
        if (expires == null || expires.isBlank()) {
            return null;
        }
        try {
            Duration duration = Durations.parse(expires);
            if (duration.compareTo(Duration.ofSeconds(1)) < 0 || duration.compareTo(MAX_EXPIRES) > 0) {
                errors.add(new FieldError("expires", "must be between 1 second and 30 days"));
            }
            return duration;
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError("expires", e.getMessage()));
            return null;
        }
    }

    private static Map<String, String> environment(List<FieldError> errors, Map<String, String> envVars) {
        Map<String, String> sorted = new TreeMap<>();
        if (envVars == null) {
            return sorted;
        }
        if (envVars.size() > MAX_ENV_VARS) {
            errors.add(new FieldError("env_vars", "at most " + MAX_ENV_VARS + " variables"));
        }
        long bytes = 0;
        for (Map.Entry<String, String> entry : envVars.entrySet()) {
            String name = entry.getKey();
            if (!ENV_NAME.matcher(name).matches()) {
                errors.add(new FieldError(
                        "env_vars." + name,
                        "is not a valid variable name (letters, digits, _; not starting with a digit)"));
            } else if (name.startsWith("TRAINYARD_") || name.equals("CUDA_VISIBLE_DEVICES")) {
                errors.add(new FieldError("env_vars." + name, "is set by Trainyard and cannot be given"));
            }
            String value = entry.getValue() == null ? "" : entry.getValue();
            if (value.indexOf('\0') >= 0) {
                errors.add(new FieldError("env_vars." + name, "must not contain a NUL character"));
            }
            bytes += name.length() + value.length();
            sorted.put(name, value);
        }
        if (bytes > MAX_ENV_BYTES) {
            errors.add(new FieldError("env_vars", "are larger than " + MAX_ENV_BYTES + " bytes in all"));
        }
        return sorted;
    }

    private static List<String> tags(List<FieldError> errors, List<String> tags) {
        if (tags == null) {
            return List.of();
        }
        if (tags.size() > 20) {
            errors.add(new FieldError("tags", "at most 20 tags"));
        }
        List<String> clean = new ArrayList<>();
        for (String tag : tags) {
            if (tag == null || !TAG.matcher(tag.trim()).matches()) {
                errors.add(new FieldError("tags", "each tag is 1 to 64 characters: letters, digits, . _ : / -"));
            } else if (!clean.contains(tag.trim())) {
                clean.add(tag.trim());
            }
        }
        return clean;
    }

    private static String trimmed(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
