package dev.trainyard.api;

/** Request to add a user (by id or username) to an organization, or to change a member's role. */
public record AddMemberRequest(String user, Role role) {}
