package dev.fiberio.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Set;
import org.junit.jupiter.api.Test;

class StraceSummaryTest {
    private static final String SUMMARY = """
            % time     seconds  usecs/call     calls    errors syscall
            ------ ----------- ----------- --------- --------- ----------------
             40.00    0.400000           4    100000     20000 read
             30.00    0.300000           3    100000           write
             20.00    0.200000          10     20000           epoll_wait
              5.00    0.050000           5     10000      1000 futex
              4.00    0.040000          40      1000           epoll_ctl
              1.00    0.010000          10       100           mmap
            ------ ----------- ----------- --------- --------- ----------------
            100.00    1.000000           4    231100     21000 total
            """;

    @Test
    void countsCallsPerNameAndSkipsTheTotalRow() {
        StraceSummary s = StraceSummary.parse(SUMMARY);
        assertEquals(100_000, s.count(Set.of("read")));
        assertEquals(231_100, s.total());
        assertEquals(20_000, s.failedReads());
    }

    @Test
    void perRoundTripFiguresDivideEachFamily() {
        String[] f = StraceSummary.parse(SUMMARY).perRoundTripTsv(100_000).split("\t");
        // total, reads, failed reads, writes, epoll waits, epoll_ctl, futex, other
        assertEquals("2.31", f[0]);
        assertEquals("1.00", f[1]);
        assertEquals("0.20", f[2]);
        assertEquals("1.00", f[3]);
        assertEquals("0.20", f[4]);
        assertEquals("0.01", f[5]);
        assertEquals("0.10", f[6]);
        assertEquals("0.00", f[7]);
    }

    @Test
    void outputWithoutRowsIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> StraceSummary.parse("strace: attach: ptrace(PTRACE_SEIZE, 1): Operation not permitted"));
    }
}
