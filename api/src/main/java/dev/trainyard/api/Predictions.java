package dev.trainyard.api;

import java.util.List;
import java.util.Map;

/** What the latest version predicts for each row: the label or value, and class scores if any. */
public record Predictions(String model, int version, List<Prediction> predictions) {

    /** One row's prediction. */
    public record Prediction(Object output, Map<String, Double> scores) {}
}
