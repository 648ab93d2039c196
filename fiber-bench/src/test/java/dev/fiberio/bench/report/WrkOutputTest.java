package dev.fiberio.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class WrkOutputTest {
    private static final String RUN = """
            Running 10s test @ http://127.0.0.1:8080/
              2 threads and 256 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     4.10ms    2.00ms  40.00ms   80.00%
                Req/Sec    31.50k     2.10k   40.00k    70.00%
              Latency Distribution
                 50%  850.00us
                 75%    5.20ms
                 90%    7.70ms
                 99%    1.20s
              626512 requests in 10.00s, 82.41MB read
              Socket errors: connect 0, read 3, write 1, timeout 2
              Non-2xx or 3xx responses: 4
            Requests/sec:  62643.92
            Transfer/sec:      8.24MB
            """;

    @Test
    void parsesThroughputPercentilesInEveryUnitAndErrors() {
        WrkOutput w = WrkOutput.parse(RUN);
        assertEquals(62643.92, w.requestsPerSecond(), 1e-9);
        assertEquals(0.85, w.p50Millis(), 1e-9);
        assertEquals(1200.0, w.p99Millis(), 1e-9);
        assertEquals(10, w.errors());
        assertEquals("62644\t0.850\t1200.000\t10", w.tsv());
    }

    @Test
    void cleanRunHasNoErrors() {
        String clean = RUN.replaceAll("(?m)^.*(Socket errors|Non-2xx).*\\n", "");
        assertEquals(0, WrkOutput.parse(clean).errors());
    }

    @Test
    void missingLatencyDistributionIsAnError() {
        String noLatency = RUN.replaceAll("(?m)^\\s+\\d\\d%.*\\n", "");
        assertThrows(IllegalArgumentException.class, () -> WrkOutput.parse(noLatency));
        assertThrows(IllegalArgumentException.class, () -> WrkOutput.parse("unable to connect to 127.0.0.1:8080"));
    }
}
