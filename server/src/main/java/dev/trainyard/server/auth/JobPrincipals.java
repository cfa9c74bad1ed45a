package dev.trainyard.server.auth;

import dev.trainyard.server.common.Principal;
import java.util.Optional;

/** Finds the principal a job token stands for: the job, while it has not ended. */
@FunctionalInterface
public interface JobPrincipals {
    Optional<Principal> forRunningJob(String jobId);
}
