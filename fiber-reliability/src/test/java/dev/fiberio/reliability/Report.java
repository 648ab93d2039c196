package dev.fiberio.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The figures of one suite run: printed, and written to {@code <report dir>/<name>-<backend>.txt} (the
 * {@linkplain Backend backend} the run used, e.g. {@code soak-uring.txt}) so that a long run's numbers
 * survive the console (docs/reliability.md quotes them) and a reader sees which backend they came from.
 */
final class Report {
    private final String name;
    private final String backend;
    private final List<String> lines = new ArrayList<>();

    /**
     * Starts a report.
     *
     * @param name file name without the backend and extension, e.g. "soak"
     */
    Report(String name) {
        this.name = name;
        this.backend = Backend.current().name();
        lines.add(name + " on " + backend + " (fiberio.net.provider=" + backend + ") run at " + Instant.now());
    }

    /**
     * Adds one figure.
     *
     * @param key   what it is
     * @param value its value (formatted with {@code String.valueOf})
     * @return this report
     */
    Report add(String key, Object value) {
        lines.add(String.format(Locale.ROOT, "  %-28s %s", key + ":", value));
        return this;
    }

    /** Prints the report and writes its file. */
    void publish() {
        String text = String.join("\n", lines) + "\n";
        System.out.print(text);
        try {
            Path dir = Settings.reportDirectory();
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(name + "-" + backend + ".txt"), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
