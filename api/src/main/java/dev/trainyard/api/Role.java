package dev.trainyard.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** A member's role in an organization, from most to least powerful. */
public enum Role {
    OWNER,
    ADMIN,
    MEMBER,
    VIEWER;

    /** Whether this role can write (create and change) the organization's resources. */
    public boolean canWrite() {
        return this != VIEWER;
    }

    /** Whether this role can manage the organization: members, deletions, settings. */
    public boolean canManage() {
        return this == OWNER || this == ADMIN;
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a role from its wire name, case-insensitively. */
    @JsonCreator
    public static Role fromWire(String value) {
        for (Role role : values()) {
            if (role.name().equalsIgnoreCase(value)) {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown role '" + value + "': expected owner, admin, member or viewer");
    }
}
