package dev.trainyard.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretsTest {
    @Test
    void apiKeysAreLongRandomAndCarryAChecksum() {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            String key = Secrets.newApiKey();
            assertThat(key).startsWith("ty_").hasSize(3 + 43 + 6).matches("ty_[0-9A-Za-z]+");
            assertThat(Secrets.isWellFormed(Secrets.API_KEY_PREFIX, key)).isTrue();
            keys.add(key);
        }
        assertThat(keys).hasSize(1_000);
    }

    @Test
    void aMistypedOrTruncatedKeyFailsTheChecksum() {
        String key = Secrets.newApiKey();
        char[] typo = key.toCharArray();
        typo[10] = typo[10] == 'a' ? 'b' : 'a';

        assertThat(Secrets.isWellFormed(Secrets.API_KEY_PREFIX, new String(typo)))
                .isFalse();
        assertThat(Secrets.isWellFormed(Secrets.API_KEY_PREFIX, key.substring(0, key.length() - 1)))
                .isFalse();
        assertThat(Secrets.isWellFormed(Secrets.REFRESH_TOKEN_PREFIX, key)).isFalse();
        assertThat(Secrets.isWellFormed(Secrets.API_KEY_PREFIX, null)).isFalse();
    }

    @Test
    void onlyThePrefixAndLastFourAreShown() {
        String key = Secrets.newApiKey();

        assertThat(Secrets.displayPrefix(key)).isEqualTo(key.substring(0, 7));
        assertThat(Secrets.lastFour(key)).isEqualTo(key.substring(key.length() - 4));
        assertThat(Secrets.sha256(key)).hasSize(64).doesNotContain(key);
    }
}
