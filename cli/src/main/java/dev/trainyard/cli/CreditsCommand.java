package dev.trainyard.cli;

import dev.trainyard.api.CreditBalance;
import dev.trainyard.api.CreditTransaction;
import dev.trainyard.api.PriceListView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "credits", description = "Your organization's credits.")
final class CreditsCommand {
    private final Cli cli;

    CreditsCommand(Cli cli) {
        this.cli = cli;
    }

    @Command(name = "balance", description = "Balance, what jobs hold, and what is available.")
    int balance(@Mixin Output output) {
        CreditBalance balance = cli.client().balance();
        cli.print(
                output,
                balance,
                List.of("ORGANIZATION", "BALANCE", "RESERVED", "AVAILABLE"),
                List.of(List.of(
                        balance.organization(),
                        balance.balance().toPlainString(),
                        balance.reserved().toPlainString(),
                        balance.available().toPlainString())));
        return Cli.ExitCode.OK;
    }

    @Command(name = "transactions", description = "Transactions, newest first.")
    int transactions(
            @Mixin Output output,
            @Option(names = "--type", description = "grant, usage, refund or adjustment") String type,
            @Option(names = "--job") String job,
            @Option(names = "--take", defaultValue = "50") int take) {
        List<CreditTransaction> items =
                new ArrayList<>(cli.client().transactions(type, job).limit(take).toList());
        Instant now = Instant.now();
        cli.print(
                output,
                items,
                List.of("TIME", "TYPE", "AMOUNT", "BALANCE", "JOB", "REASON"),
                items.stream()
                        .map(entry -> java.util.Arrays.asList(
                                Table.ago(entry.createdAt(), now),
                                entry.type(),
                                entry.amount().toPlainString(),
                                entry.balanceAfter().toPlainString(),
                                entry.job(),
                                entry.reason()))
                        .toList());
        return Cli.ExitCode.OK;
    }

    @Command(name = "prices", description = "The price list, in credits per hour.")
    int prices(@Mixin Output output) {
        PriceListView prices = cli.client().prices();
        List<List<String>> rows = new ArrayList<>();
        prices.gpuHour().forEach((type, price) -> rows.add(List.of("GPU " + type, price.toPlainString())));
        rows.add(List.of("GPU (other types)", prices.otherGpuHour().toPlainString()));
        rows.add(List.of("CPU core", prices.cpuCoreHour().toPlainString()));
        rows.add(List.of("GB of memory", prices.memoryGbHour().toPlainString()));
        cli.print(output, prices, List.of("RESOURCE", "CREDITS/HOUR"), rows);
        return Cli.ExitCode.OK;
    }
}
