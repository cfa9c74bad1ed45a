package dev.trainyard.api;

/**
 * Tests a model version (the latest when left out) on a CSV dataset of the project: all its rows,
 * or without {@code dataset} the held-out rows of the model's own dataset (the training split).
 */
public record TestModelRequest(String dataset, Integer version) {}
