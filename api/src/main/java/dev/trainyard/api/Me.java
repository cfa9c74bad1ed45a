package dev.trainyard.api;

import java.util.List;

/** The caller: who they are, how they authenticated, and the organizations they belong to. */
public record Me(User user, String authenticatedBy, List<Membership> organizations) {
    public Me {
        organizations = List.copyOf(organizations);
    }

    /** The caller's role in one organization. */
    public record Membership(String id, String name, Role role, boolean personal) {}
}
