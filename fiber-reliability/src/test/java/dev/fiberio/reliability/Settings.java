package dev.fiberio.reliability;

import java.nio.file.Path;

/**
 * The knobs of the reliability suites, read from system properties so that CI runs the short
 * versions (the defaults) and people run long ones with {@code -Pfiberio-long} or {@code -D...}
 * (see docs/reliability.md). Every suite prints the values it used.
 */
final class Settings {
    private Settings() {
    }

    /** How long the soak runs; CI 60 s, the documented long run 1800 s. */
    static int soakSeconds() {
        return Integer.getInteger("fiberio.soak.seconds", 60);
    }

    /** Concurrent client connections of the soak. */
    static int soakConnections() {
        return Integer.getInteger("fiberio.soak.connections", 1000);
    }

    /** Share of soak connections that end with an injected disconnect or reset, in percent. */
    static int soakFaultPercent() {
        return Integer.getInteger("fiberio.soak.faultPercent", 20);
    }

    /** Requests sent by the HTTP fuzzer. */
    static int fuzzRequests() {
        return Integer.getInteger("fiberio.fuzz.requests", 2000);
    }

    /** Inputs given to the request parser by the in-memory fuzzer. */
    static int parserFuzzInputs() {
        return Integer.getInteger("fiberio.fuzz.parserInputs", 100_000);
    }

    /** Rounds of each close race (close vs read, write, accept). */
    static int raceRounds() {
        return Integer.getInteger("fiberio.race.rounds", 10_000);
    }

    /** Seed of every random choice; fixed by default so that a failure can be replayed. */
    static long seed() {
        return Long.getLong("fiberio.seed", 20_261_123L);
    }

    /** Where suites write their figures (one text file each). */
    static Path reportDirectory() {
        return Path.of(System.getProperty("fiberio.report.dir", "target/reliability"));
    }
}
