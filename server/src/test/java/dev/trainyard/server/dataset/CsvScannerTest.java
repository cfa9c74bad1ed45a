package dev.trainyard.server.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CsvScannerTest {
    @Test
    void countsEveryLineEndWhateverTheBytesAroundIt() {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            byte[] bytes = new byte[random.nextInt(200)];
            random.nextBytes(bytes);
            for (int i = 0; i < bytes.length; i++) {
                if (random.nextInt(5) == 0) {
                    bytes[i] = '\n';
                }
            }
            int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
            long expected = 0;
            for (int i = from; i < bytes.length; i++) {
                expected += bytes[i] == '\n' ? 1 : 0;
            }
            assertThat(DatasetService.CsvScanner.countNewlines(bytes, from, bytes.length))
                    .isEqualTo(expected);
        }
    }

    @Test
    void headerAndRowsAcrossChunksWithAndWithoutAFinalNewline() {
        DatasetService.CsvScanner scanner = new DatasetService.CsvScanner();
        byte[] first = "a,b\r\n1,".getBytes(StandardCharsets.UTF_8);
        byte[] second = "2\n3,4".getBytes(StandardCharsets.UTF_8);
        scanner.accept(first, first.length);
        scanner.accept(second, second.length);

        assertThat(new String(scanner.result().header(), StandardCharsets.UTF_8))
                .isEqualTo("a,b");
        assertThat(scanner.result().rows()).isEqualTo(2);
    }
}
