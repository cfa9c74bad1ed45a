package dev.trainyard.server.telemetry;

import dev.trainyard.api.ProgressUpdate;

/** What a progress report may say; the API and marker lines apply the same rules. */
public final class ProgressRules {
    private ProgressRules() {}

    /** Why {@code update} is not acceptable, as "field: problem", or null when it is. */
    public static String problem(ProgressUpdate update) {
        if (update.percent() == null
                && update.step() == null
                && update.totalSteps() == null
                && update.epoch() == null
                && update.totalEpochs() == null
                && update.message() == null) {
            return "percent: give percent, step and total_steps, epoch and total_epochs, or a message";
        }
        if (update.percent() != null && !(update.percent() >= 0 && update.percent() <= 100)) {
            return "percent: must be between 0 and 100";
        }
        if (update.step() != null && update.step() < 0) {
            return "step: must be 0 or more";
        }
        if (update.totalSteps() != null && update.totalSteps() < 1) {
            return "total_steps: must be 1 or more";
        }
        if (update.step() != null && update.totalSteps() != null && update.step() > update.totalSteps()) {
            return "step: must not be more than total_steps";
        }
        if (update.epoch() != null && update.epoch() < 0) {
            return "epoch: must be 0 or more";
        }
        if (update.totalEpochs() != null && update.totalEpochs() < 1) {
            return "total_epochs: must be 1 or more";
        }
        if (update.epoch() != null && update.totalEpochs() != null && update.epoch() > update.totalEpochs()) {
            return "epoch: must not be more than total_epochs";
        }
        if (update.message() != null && update.message().length() > Markers.MAX_MESSAGE) {
            return "message: must be at most " + Markers.MAX_MESSAGE + " characters";
        }
        return null;
    }
}
