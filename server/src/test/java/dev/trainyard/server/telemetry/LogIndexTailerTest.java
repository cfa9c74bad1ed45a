package dev.trainyard.server.telemetry;

import static dev.trainyard.server.telemetry.LogFiles.CLOCK;
import static dev.trainyard.server.telemetry.LogFiles.stdout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@link LogTailer} that keeps running jobs' logs indexed. */
class LogIndexTailerTest {
    @TempDir
    Path dir;

    @Test
    void indexesNewOutputWithoutBeingAsked() throws Exception {
        try (LogIndex index = LogIndex.open(dir, CLOCK);
                LogTailer tailer = new LogTailer()) {
            tailer.track("job", index);
            stdout(dir, "first\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> index.lineCount() == 1);
            stdout(dir, "second\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> index.lineCount() == 2);
            assertThat(index.isComplete()).isFalse();
        }
    }

    @Test
    void finishesTheLogOnceWhenTheJobEnds() throws Exception {
        try (LogIndex index = LogIndex.open(dir, CLOCK);
                LogTailer tailer = new LogTailer()) {
            tailer.track("job", index);
            stdout(dir, "done\nexit code 0");

            CompletableFuture<Void> first = tailer.jobEnded("job");
            CompletableFuture<Void> second = tailer.isTracking("job") ? tailer.jobEnded("job") : first;
            first.get(10, TimeUnit.SECONDS);

            assertThat(second).isSameAs(first);
            assertThat(index.isComplete()).isTrue();
            assertThat(index.read(0, 10)).extracting(LogLine::text).containsExactly("done", "exit code 0");
            assertThat(tailer.isTracking("job")).isFalse();
            assertThatThrownBy(() -> tailer.jobEnded("job")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void closeStopsTailingWithoutFinishing() throws Exception {
        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            LogTailer tailer = new LogTailer();
            tailer.track("job", index);
            tailer.close();

            assertThat(tailer.isTracking("job")).isFalse();
            stdout(dir, "after the tailer stopped\n");
            assertThat(index.poll()).isEqualTo(1);
            assertThat(index.isComplete()).isFalse();
            assertThatThrownBy(() -> tailer.track("other", index)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void stopsTailingAnIndexClosedUnderIt() throws Exception {
        try (LogTailer tailer = new LogTailer()) {
            LogIndex index = LogIndex.open(dir, CLOCK);
            tailer.track("job", index);
            index.close();

            await().atMost(Duration.ofSeconds(5)).until(() -> !tailer.isTracking("job"));
            assertThatThrownBy(index::poll).isInstanceOf(ClosedChannelException.class);
        }
    }

    @Test
    void refusesToTrackAJobTwice() throws Exception {
        try (LogIndex index = LogIndex.open(dir, CLOCK);
                LogTailer tailer = new LogTailer()) {
            tailer.track("job", index);
            assertThatThrownBy(() -> tailer.track("job", index)).isInstanceOf(IllegalStateException.class);
        }
    }
}
