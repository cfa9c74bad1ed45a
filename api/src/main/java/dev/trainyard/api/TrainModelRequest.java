package dev.trainyard.api;

import java.math.BigDecimal;
import java.util.Map;

/** Starts training: epochs and hyperparameters override the model's; resources of the training job. */
public record TrainModelRequest(
        Integer epochs, Map<String, Object> hyperparameters, Integer cpuCores, BigDecimal memoryGb) {}
