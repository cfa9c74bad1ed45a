package dev.trainyard.api;

/** Partial update of a project: absent fields are left as they are. */
public record UpdateProjectRequest(String name, String description) {}
