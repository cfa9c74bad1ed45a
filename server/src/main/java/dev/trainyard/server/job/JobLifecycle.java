package dev.trainyard.server.job;

import dev.trainyard.api.JobState;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** The one table of legal job state changes. Anything not listed here is refused. */
public final class JobLifecycle {
    private static final Map<JobState, Set<JobState>> ALLOWED = new EnumMap<>(JobState.class);

    static {
        for (JobState state : JobState.values()) {
            ALLOWED.put(state, next(state));
        }
    }

    private JobLifecycle() {}

    public static boolean allows(JobState from, JobState to) {
        return ALLOWED.get(from).contains(to);
    }

    private static Set<JobState> next(JobState state) {
        return switch (state) {
            case QUEUED -> EnumSet.of(JobState.STARTING, JobState.STOPPED, JobState.FAILED);
            case STARTING ->
                EnumSet.of(JobState.RUNNING, JobState.STOPPING, JobState.FAILED, JobState.STOPPED, JobState.LOST);
            case RUNNING ->
                EnumSet.of(JobState.STOPPING, JobState.COMPLETED, JobState.FAILED, JobState.EXPIRED, JobState.LOST);
            case STOPPING ->
                EnumSet.of(JobState.STOPPED, JobState.EXPIRED, JobState.FAILED, JobState.COMPLETED, JobState.LOST);
            case COMPLETED, FAILED, STOPPED, EXPIRED, LOST -> EnumSet.noneOf(JobState.class);
        };
    }
}
