package dev.trainyard.cli;

import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Progress bars for uploads and downloads, on stderr so stdout stays clean for -o json. */
final class Transfers {
    private Transfers() {}

    static ProgressBar bar(Cli cli, String task, long total) {
        return new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(Math.max(total, 0))
                .setUnit(" MB", 1_000_000)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new DelegatingProgressBarConsumer(line -> {
                    cli.err.print("\r" + line);
                    cli.err.flush();
                }))
                .build();
    }
}
