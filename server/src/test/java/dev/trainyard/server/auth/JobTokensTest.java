package dev.trainyard.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobTokensTest {
    @TempDir
    Path keys;

    @Test
    void aTokenNamesItsJobAndSurvivesARestartWithTheSameKey() throws Exception {
        String token = new JobTokens(keys).issue("j-abc123");

        assertThat(new JobTokens(keys).jobOf(token)).contains("j-abc123");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve("job-token.key"))))
                .isEqualTo("rw-------");
    }

    @Test
    void forgedTamperedAndForeignTokensNameNoJob(@TempDir Path otherKeys) {
        JobTokens tokens = new JobTokens(keys);
        String token = tokens.issue("j-abc123");
        String mac = token.substring(token.lastIndexOf('.') + 1);

        assertThat(tokens.jobOf("tyj_j-other." + mac)).isEmpty();
        assertThat(tokens.jobOf(token.substring(0, token.length() - 2) + (token.endsWith("A") ? "BB" : "AA")))
                .isEmpty();
        assertThat(tokens.jobOf(new JobTokens(otherKeys).issue("j-abc123"))).isEmpty();
        assertThat(tokens.jobOf("tyj_j-abc123")).isEmpty();
        assertThat(tokens.jobOf("tyj_j-abc123.not*base64")).isEmpty();
        assertThat(tokens.jobOf("tyj_." + mac)).isEmpty();
        assertThat(tokens.jobOf(null)).isEmpty();
    }
}
