package dev.trainyard.api;

/**
 * Request to create a project. Without {@code organization} the project goes to the caller's
 * personal organization.
 */
public record CreateProjectRequest(String name, String description, String organization) {}
