package dev.trainyard.api;

import java.util.List;
import java.util.Map;

/** Rows to predict, each a map from feature column to its value. */
public record PredictRequest(List<Map<String, Object>> rows) {}
