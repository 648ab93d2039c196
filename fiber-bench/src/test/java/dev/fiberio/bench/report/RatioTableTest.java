package dev.fiberio.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class RatioTableTest {
    private static final Tsv HTTP = Tsv.parse("""
            connections\tserver\treq/s\tp99 ms
            16\tfiberio\t30000\t2.0
            16\tnetty\t20000\t4.0
            256\tfiberio\t33000\tskipped
            256\tvthreads\t0\t8.0
            1024\tnetty\t1000\t1.0
            """);

    @Test
    void ratiosAreBaselineOverContenderWithinTheSameGroup() {
        List<String> lines = RatioTable.markdown(HTTP, "fiberio", List.of("req/s", "p99 ms")).lines().toList();
        assertEquals("| connections | server | req/s | p99 ms | fiberio/server req/s | fiberio/server p99 ms |", lines.get(0));
        assertEquals("| --- | --- | --- | --- | --- | --- |", lines.get(1));
        assertEquals("| 16 | fiberio | 30000 | 2.0 | 1.00 | 1.00 |", lines.get(2));
        assertEquals("| 16 | netty | 20000 | 4.0 | 1.50 | 0.50 |", lines.get(3));
    }

    @Test
    void missingValuesZeroAndMissingBaselineGiveNotAvailable() {
        List<String> lines = RatioTable.markdown(HTTP, "fiberio", List.of("req/s", "p99 ms")).lines().toList();
        assertEquals("| 256 | vthreads | 0 | 8.0 | n/a | n/a |", lines.get(5));
        assertEquals("| 1024 | netty | 1000 | 1.0 | n/a | n/a |", lines.get(6));
    }

    @Test
    void unknownMetricAndRaggedRowsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> RatioTable.markdown(HTTP, "fiberio", List.of("rps")));
        assertThrows(IllegalArgumentException.class, () -> Tsv.parse("a\tb\n1\n"));
    }
}
