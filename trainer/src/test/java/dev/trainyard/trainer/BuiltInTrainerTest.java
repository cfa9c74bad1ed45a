package dev.trainyard.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Model;

class BuiltInTrainerTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path work;

    /** Two Gaussian clusters in 2 dimensions, 600 rows, labels "a" and "b". */
    static String clusters(long seed) {
        Random random = new Random(seed);
        StringBuilder csv = new StringBuilder("x,y,label\n");
        for (int i = 0; i < 600; i++) {
            boolean a = i % 2 == 0;
            csv.append((a ? -2 : 2) + random.nextGaussian())
                    .append(',')
                    .append((a ? -2 : 2) + random.nextGaussian())
                    .append(',')
                    .append(a ? "a" : "b")
                    .append('\n');
        }
        return csv.toString();
    }

    /** y = 3 x1 - 2 x2 + 1 + noise, 600 rows. */
    static String line(long seed) {
        Random random = new Random(seed);
        StringBuilder csv = new StringBuilder("x1,x2,y\n");
        for (int i = 0; i < 600; i++) {
            double x1 = random.nextDouble() * 4 - 2;
            double x2 = random.nextDouble() * 4 - 2;
            csv.append(x1)
                    .append(',')
                    .append(x2)
                    .append(',')
                    .append(3 * x1 - 2 * x2 + 1 + 0.1 * random.nextGaussian())
                    .append('\n');
        }
        return csv.toString();
    }

    @Test
    void classifiesTwoClustersReportingEveryEpoch() throws Exception {
        Path data = work.resolve("clusters.csv");
        Files.writeString(data, clusters(1));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        BuiltInTrainer.Result result = new BuiltInTrainer(new PrintStream(printed, true, StandardCharsets.UTF_8))
                .train(
                        MAPPER.readTree("{\"task\":\"classification\",\"algorithm\":\"linear\",\"dataset\":\"" + data
                                + "\",\"target\":\"label\",\"epochs\":5,\"seed\":7}"),
                        work);

        assertThat((double) result.metrics().get("accuracy")).isGreaterThan(0.95);
        String log = printed.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("::trainyard progress epoch=5 total_epochs=5", "::trainyard metric loss=");
        assertThat(log).containsPattern("::trainyard metric accuracy=(1\\.0|0\\.9\\d*)");
        assertThat(Model.deserializeFromFile(result.model()).getName()).isNotEmpty();
        assertThat(Files.readString(result.results())).contains("\"accuracy\"", "\"macro_f1\"", "\"confusion_matrix\"");
    }

    @Test
    void onlyTheChosenFeatureColumnsAreLearned() throws Exception {
        Path data = work.resolve("clusters.csv");
        Files.writeString(data, clusters(3));

        BuiltInTrainer.Result result = new BuiltInTrainer(
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .train(
                        MAPPER.readTree("{\"task\":\"classification\",\"dataset\":\"" + data
                                + "\",\"target\":\"label\",\"feature_columns\":[\"x\"],\"epochs\":3}"),
                        work);

        Model<?> model = Model.deserializeFromFile(result.model());
        assertThat(model.getFeatureIDMap().size()).isEqualTo(1);
        assertThat(model.getFeatureIDMap().get("x")).isNotNull();
        assertThat((double) result.metrics().get("accuracy")).isGreaterThan(0.9);
        assertThat(result.metrics()).containsKey("validation_accuracy");
    }

    @Test
    void fitsALineAndATree() throws Exception {
        Path data = work.resolve("line.csv");
        Files.writeString(data, line(2));
        for (String algorithm : new String[] {"linear", "cart"}) {
            BuiltInTrainer.Result result = new BuiltInTrainer(
                            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                    .train(
                            MAPPER.readTree(
                                    "{\"task\":\"regression\",\"algorithm\":\"" + algorithm + "\",\"dataset\":\"" + data
                                            + "\",\"target\":\"y\",\"epochs\":20,\"seed\":7,\"learning_rate\":0.5}"),
                            work);
            assertThat((double) result.metrics().get("r2")).as(algorithm).isGreaterThan(0.9);
        }
    }
}
