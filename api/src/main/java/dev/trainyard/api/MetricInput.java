package dev.trainyard.api;

import java.time.Instant;

/** One point a job reports: a metric's name and value, optionally its step and when it was measured. */
public record MetricInput(String name, Double value, Long step, Instant time) {}
