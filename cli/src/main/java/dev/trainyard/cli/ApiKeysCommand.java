package dev.trainyard.cli;

import dev.trainyard.api.ApiKey;
import dev.trainyard.api.CreateApiKeyRequest;
import dev.trainyard.api.CreatedApiKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "api-keys", description = "Your API keys (only a key's prefix and last four characters are kept).")
final class ApiKeysCommand {
    private final Cli cli;

    ApiKeysCommand(Cli cli) {
        this.cli = cli;
    }

    @Command(name = "list", description = "Your keys.")
    int list(@Mixin Output output) {
        List<ApiKey> keys = cli.client().apiKeys().toList();
        Instant now = Instant.now();
        cli.print(
                output,
                keys,
                List.of("ID", "NAME", "KEY", "CREATED", "LAST USED"),
                keys.stream()
                        .map(key -> Arrays.asList(
                                key.id(),
                                key.name(),
                                key.prefix() + "..." + key.lastFour(),
                                Table.ago(key.createdAt(), now),
                                Table.ago(key.lastUsedAt(), now)))
                        .toList());
        return Cli.ExitCode.OK;
    }

    @Command(name = "create", description = "Create a key; it is printed once and never shown again.")
    int create(@Mixin Output output, @Parameters(paramLabel = "NAME") String name) {
        CreatedApiKey created = cli.client().createApiKey(new CreateApiKeyRequest(name, null));
        cli.print(
                output,
                created,
                List.of("ID", "NAME", "KEY"),
                List.of(List.of(created.apiKey().id(), created.apiKey().name(), created.key())));
        return Cli.ExitCode.OK;
    }

    @Command(name = "revoke", description = "Revoke a key at once.")
    int revoke(@Parameters(paramLabel = "KEY_ID") String id) {
        cli.client().revokeApiKey(id);
        cli.out.println("revoked " + id);
        return Cli.ExitCode.OK;
    }
}
