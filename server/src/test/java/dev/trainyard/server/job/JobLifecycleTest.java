package dev.trainyard.server.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainyard.api.JobState;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class JobLifecycleTest {
    @Test
    void endedJobsNeverChangeAgain() {
        for (JobState from : JobState.values()) {
            if (from.isTerminal()) {
                for (JobState to : JobState.values()) {
                    assertThat(JobLifecycle.allows(from, to))
                            .as(from + " -> " + to)
                            .isFalse();
                }
            }
        }
    }

    @Test
    void everyActiveStateCanEndAndNothingGoesBackToQueued() {
        for (JobState from : EnumSet.of(JobState.QUEUED, JobState.STARTING, JobState.RUNNING, JobState.STOPPING)) {
            assertThat(EnumSet.allOf(JobState.class).stream()
                            .anyMatch(to -> to.isTerminal() && JobLifecycle.allows(from, to)))
                    .as(from + " has a way to end")
                    .isTrue();
        }
        for (JobState from : JobState.values()) {
            assertThat(JobLifecycle.allows(from, JobState.QUEUED)).isFalse();
        }
    }

    @Test
    void theUsualPathsAreLegalAndShortcutsAreNot() {
        assertThat(JobLifecycle.allows(JobState.QUEUED, JobState.STARTING)).isTrue();
        assertThat(JobLifecycle.allows(JobState.STARTING, JobState.RUNNING)).isTrue();
        assertThat(JobLifecycle.allows(JobState.RUNNING, JobState.STOPPING)).isTrue();
        assertThat(JobLifecycle.allows(JobState.STOPPING, JobState.STOPPED)).isTrue();
        assertThat(JobLifecycle.allows(JobState.STOPPING, JobState.EXPIRED)).isTrue();
        assertThat(JobLifecycle.allows(JobState.QUEUED, JobState.RUNNING)).isFalse();
        assertThat(JobLifecycle.allows(JobState.QUEUED, JobState.COMPLETED)).isFalse();
        assertThat(JobLifecycle.allows(JobState.STARTING, JobState.COMPLETED)).isFalse();
        assertThat(JobLifecycle.allows(JobState.RUNNING, JobState.STOPPED)).isFalse();
    }

    @Test
    void statesParseCaseInsensitively() {
        assertThat(JobState.parse("running")).isEqualTo(JobState.RUNNING);
        assertThat(JobState.parse(" Completed ")).isEqualTo(JobState.COMPLETED);
    }
}
