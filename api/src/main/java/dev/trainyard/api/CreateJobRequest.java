package dev.trainyard.api;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * A job submission, in the hosted GPU clouds' shape. Only {@code project} and {@code run_command}
 * are required; {@code expires} takes "90s", "30m", "4h", "2d" or ISO-8601 ("PT4H") and limits the
 * run time; {@code env_vars} values are secrets that the API never shows again; {@code max_cost}
 * (credits) stops the job with reason {@code budget_reached} once its own cost reaches it;
 * {@code datasets} (ids of the organization's datasets) are readable inside the job at the paths in
 * {@code TRAINYARD_DATASET_<NAME>}.
 */
public record CreateJobRequest(
        String name,
        String project,
        String description,
        String gpuType,
        Integer gpus,
        Integer cpuCores,
        BigDecimal memoryGb,
        Long hddSizeMb,
        String image,
        String setupCommand,
        String runCommand,
        Map<String, String> envVars,
        String expires,
        Integer priority,
        List<String> tags,
        BigDecimal maxCost,
        List<String> datasets) {

    /** A submission of just a command: every other field left to the server's defaults. */
    public static CreateJobRequest command(String name, String project, String runCommand) {
        return new CreateJobRequest(
                name,
                project,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                runCommand,
                null,
                null,
                null,
                null,
                null,
                null);
    }
}
