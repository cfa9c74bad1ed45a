package dev.trainyard.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Aligned text tables, human times and sizes. */
final class Table {
    private Table() {}

    static String render(List<String> headers, List<List<String>> rows) {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < headers.size(); i++) {
            widths[i] = headers.get(i).length();
        }
        for (List<String> row : rows) {
            for (int i = 0; i < row.size() && i < widths.length; i++) {
                widths[i] = Math.max(widths[i], value(row.get(i)).length());
            }
        }
        StringBuilder text = new StringBuilder();
        line(text, headers, widths);
        for (List<String> row : rows) {
            line(text, row, widths);
        }
        return text.toString();
    }

    private static void line(StringBuilder text, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            String cell = i < cells.size() ? value(cells.get(i)) : "";
            line.append(cell);
            if (i < widths.length - 1) {
                line.append(" ".repeat(widths[i] - cell.length() + 2));
            }
        }
        text.append(line.toString().stripTrailing()).append('\n');
    }

    private static String value(String cell) {
        return cell == null ? "-" : cell;
    }

    /** "3m ago", "2h ago", or the date for older times. */
    static String ago(Instant time, Instant now) {
        if (time == null) {
            return "-";
        }
        Duration age = Duration.between(time, now);
        if (age.isNegative() || age.toSeconds() < 60) {
            return Math.max(0, age.toSeconds()) + "s ago";
        }
        if (age.toMinutes() < 60) {
            return age.toMinutes() + "m ago";
        }
        if (age.toHours() < 48) {
            return age.toHours() + "h ago";
        }
        return time.toString().substring(0, 10);
    }

    /** 1.5 KB, 12 MB, 3.2 GB. */
    static String size(long bytes) {
        String[] units = {"B", "KB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return (unit == 0 ? String.valueOf(bytes) : String.format(java.util.Locale.ROOT, "%.1f", value)) + " "
                + units[unit];
    }
}
