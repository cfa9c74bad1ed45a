package dev.trainyard.api;

/** Request to create an organization; the caller becomes its owner. */
public record CreateOrganizationRequest(String name) {}
