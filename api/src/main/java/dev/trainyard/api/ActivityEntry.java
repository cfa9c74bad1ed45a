package dev.trainyard.api;

import java.time.Instant;

/** One entry of a project's activity log: who did what, when. */
public record ActivityEntry(
        String id, String project, UserRef actor, String action, String detail, Instant createdAt) {}
