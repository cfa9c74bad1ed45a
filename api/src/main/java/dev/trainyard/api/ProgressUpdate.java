package dev.trainyard.api;

/**
 * A job's report of how far it is: a percent, or a step out of total steps, and/or an epoch out of
 * total epochs, with an optional message. Fields left out keep what the job reported before.
 */
public record ProgressUpdate(
        Double percent, Long step, Long totalSteps, Integer epoch, Integer totalEpochs, String message) {}
