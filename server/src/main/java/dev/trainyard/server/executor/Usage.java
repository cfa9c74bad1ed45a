package dev.trainyard.server.executor;

/** Resources a job uses at one moment. */
public record Usage(long residentBytes, long diskBytes, int processes) {}
