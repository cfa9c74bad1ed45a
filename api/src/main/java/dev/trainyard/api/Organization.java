package dev.trainyard.api;

import java.time.Instant;

/** An organization: the owner of projects, jobs and credits. {@code role} is the caller's. */
public record Organization(String id, String name, boolean personal, Role role, Instant createdAt) {}
