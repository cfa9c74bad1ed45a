package dev.trainyard.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobsRootTest {
    @Test
    void jobsLiveInTheDataFolderWhenJobUsersCanReachIt(@TempDir Path root) throws Exception {
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        Path data = Files.createDirectories(root.resolve("data"));

        assertThat(TrainyardServer.jobsRoot(data, true)).isEqualTo(data.resolve("jobs"));
        assertThat(TrainyardServer.jobsRoot(data, false)).isEqualTo(data.resolve("jobs"));
    }

    @Test
    void jobsMoveOutOfADataFolderJobUsersCannotReach(@TempDir Path root) throws Exception {
        Path home = Files.createDirectories(root.resolve("home"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        Path data = Files.createDirectories(home.resolve("data"));

        Path jobs = TrainyardServer.jobsRoot(data, true);

        assertThat(jobs).startsWith(Path.of("/var/lib/trainyard/jobs"));
        assertThat(TrainyardServer.jobsRoot(data, true)).isEqualTo(jobs);
        assertThat(jobs).isDirectory();
        Files.delete(jobs);
    }
}
