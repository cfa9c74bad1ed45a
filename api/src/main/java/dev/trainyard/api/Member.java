package dev.trainyard.api;

import java.time.Instant;

/** A member of an organization. */
public record Member(UserRef user, Role role, Instant joinedAt) {}
