package dev.trainyard.api;

/** Liveness or readiness answer. */
public record Health(String status, String database) {}
