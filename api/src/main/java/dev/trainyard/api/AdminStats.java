package dev.trainyard.api;

/** Counts an administrator sees at a glance. */
public record AdminStats(long users, long organizations, long projects, long activeApiKeys) {}
