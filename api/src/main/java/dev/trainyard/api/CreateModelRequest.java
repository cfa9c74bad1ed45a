package dev.trainyard.api;

import java.util.List;
import java.util.Map;

/**
 * A new model: {@code task} classification or regression, the {@code dataset} (a CSV dataset id
 * of the project) and its {@code target_column}; the {@code feature_columns} (numeric), every
 * other column when left out.
 * {@code algorithm}: linear (logistic regression or linear regression by SGD, the default) or cart
 * (a decision tree); {@code hyperparameters}: epochs, learning_rate, max_depth, seed, test_fraction.
 * {@code kind: "custom"} runs the user's own {@code train_command} (required), {@code test_command}
 * and {@code export_command} as jobs instead, with the dataset (optional) readable as for any job;
 * they upload what they make with the job's token ({@code POST /api/jobs/{jobId}/artifacts}).
 */
public record CreateModelRequest(
        String name,
        String task,
        String dataset,
        String targetColumn,
        List<String> featureColumns,
        String algorithm,
        Map<String, Object> hyperparameters,
        String kind,
        String trainCommand,
        String testCommand,
        String exportCommand) {}
