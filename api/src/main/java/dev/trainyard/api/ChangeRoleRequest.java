package dev.trainyard.api;

/** Request to change a member's role. */
public record ChangeRoleRequest(Role role) {}
