package dev.trainyard.server.credit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;

import dev.trainyard.server.testing.TestServer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hosted cloud's own Python example (from its API document, with one more call listing jobs)
 * runs against Trainyard with only BASE_URL and API_KEY changed. Needs Python 3 with requests;
 * skipped with a message where that is missing.
 */
class HostedCloudExampleTest {
    @TempDir
    Path work;

    @Test
    void thePythonExampleRunsUnchanged() throws Exception {
        String python = pythonWithRequests();
        String example;
        try (InputStream in = HostedCloudExampleTest.class.getResourceAsStream("/examples/hosted_cloud_example.py")) {
            example = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (TestServer server = TestServer.start()) {
            server.post("/api/projects", "{\"name\":\"from-python\"}", "X-API-KEY", server.adminKey());
            String script = example.replace(
                            "API_KEY = \"your-api-key-here\"", "API_KEY = \"" + server.adminKey() + "\"")
                    .replace("BASE_URL = \"https://cloud.one-ware.com\"", "BASE_URL = \"" + server.baseUrl() + "\"");
            assertThat(script).isNotEqualTo(example);
            Path file = work.resolve("example.py");
            Files.writeString(file, script);

            Process process = new ProcessBuilder(python, file.toString())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

            assertThat(process.exitValue()).as(output).isZero();
            assertThat(output)
                    .contains("Balance: {'organization': ", "'currency': 'credits'", "'available': 1000")
                    .contains("Projects: {'items': [", "'name': 'from-python'")
                    .contains("Jobs: {'items': [], 'total': 0, 'skip': 0, 'take': 5}");
        }
    }

    private static String pythonWithRequests() throws Exception {
        for (String candidate : new String[] {"python3", "/usr/bin/python3"}) {
            try {
                Process probe = new ProcessBuilder(candidate, "-c", "import requests")
                        .redirectErrorStream(true)
                        .start();
                probe.getInputStream().readAllBytes();
                if (probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0) {
                    return candidate;
                }
            } catch (java.io.IOException e) {
                // not this one
            }
        }
        System.err.println("SKIPPED HostedCloudExampleTest: no Python 3 with the requests package on this machine");
        abort("no Python 3 with requests on this machine");
        return null;
    }
}
