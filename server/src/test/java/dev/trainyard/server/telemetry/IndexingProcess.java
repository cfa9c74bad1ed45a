package dev.trainyard.server.telemetry;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in for the server in crash tests: tails the job folder given as its argument until it is
 * killed. (Its name keeps surefire from running it as a test.)
 */
final class IndexingProcess {
    private IndexingProcess() {}

    public static void main(String[] args) throws Exception {
        LogIndex index = LogIndex.open(Path.of(args[0]), Clock.systemUTC());
        LogTailer tailer = new LogTailer(Duration.ofMillis(1), Duration.ofMillis(5));
        tailer.track("job", index);
        System.out.println("indexing");
        new CountDownLatch(1).await();
    }
}
