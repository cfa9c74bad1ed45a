package dev.trainyard.server.executor.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobFolderAccessTest {
    @Test
    void findsTheFolderThatKeepsJobUsersOut(@TempDir Path root) throws Exception {
        Path closed = Files.createDirectories(root.resolve("closed"));
        Path jobs = Files.createDirectories(closed.resolve("data/jobs"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(closed.resolve("data"), PosixFilePermissions.fromString("rwx--x--x"));

        assertThat(LocalExecutor.untraversableAncestor(jobs)).contains(closed);

        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx--x--x"));
        assertThat(LocalExecutor.untraversableAncestor(jobs)).isEmpty();
    }
}
