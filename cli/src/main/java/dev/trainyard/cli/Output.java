package dev.trainyard.cli;

import picocli.CommandLine.Option;

/** {@code -o table|json|yaml}: tables for people, JSON or YAML for scripts and agents. */
public final class Output {
    /** The output formats. */
    public enum Format {
        table,
        json,
        yaml
    }

    @Option(
            names = {"-o", "--output"},
            defaultValue = "table",
            description = "Output format: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    Format format = Format.table;
}
