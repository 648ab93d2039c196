package dev.fiberio.bench.report;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Call counts from an {@code strace -c} summary, grouped into the families that matter for a socket
 * server: reads, writes, epoll waits, epoll registrations, futex (thread wake-ups) and the rest.
 *
 * @param calls          calls per system call name
 * @param failedReads    read-family calls that failed (on a non-blocking socket: EAGAIN)
 */
public record StraceSummary(Map<String, Long> calls, long failedReads) {
    private static final Set<String> READS = Set.of("read", "readv", "recvfrom", "recvmsg", "recvmmsg");
    private static final Set<String> WRITES = Set.of("write", "writev", "sendto", "sendmsg", "sendmmsg");
    private static final Set<String> EPOLL_WAITS = Set.of("epoll_wait", "epoll_pwait", "epoll_pwait2");

    /**
     * Copies the map.
     *
     * @param calls       calls per system call name
     * @param failedReads failed read-family calls
     */
    public StraceSummary {
        calls = Map.copyOf(calls);
    }

    /**
     * Parses the table {@code strace -c} prints. Its rows are
     * {@code % time, seconds, usecs/call, calls, [errors], syscall}; the {@code total} row is skipped.
     *
     * @param text the summary
     * @return the counts
     * @throws IllegalArgumentException if no row was found
     */
    public static StraceSummary parse(String text) {
        Map<String, Long> calls = new LinkedHashMap<>();
        long failedReads = 0;
        for (String line : text.lines().toList()) {
            String[] t = line.trim().split("\\s+");
            if (t.length < 5 || t.length > 6 || !t[0].matches("[0-9.]+") || t[t.length - 1].equals("total")) {
                continue;
            }
            String name = t[t.length - 1];
            calls.merge(name, Long.parseLong(t[3]), Long::sum);
            if (t.length == 6 && READS.contains(name)) {
                failedReads += Long.parseLong(t[4]);
            }
        }
        if (calls.isEmpty()) {
            throw new IllegalArgumentException("no system call rows in strace -c output:\n" + text);
        }
        return new StraceSummary(calls, failedReads);
    }

    /**
     * Total calls of the given names.
     *
     * @param names system call names
     * @return the sum
     */
    public long count(Set<String> names) {
        return calls.entrySet().stream().filter(e -> names.contains(e.getKey())).mapToLong(Map.Entry::getValue).sum();
    }

    /**
     * All calls.
     *
     * @return the sum
     */
    public long total() {
        return calls.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Per-round-trip figures as tab-separated fields: total, reads, failed (EAGAIN) reads, writes,
     * epoll waits, epoll_ctl, futex, other.
     *
     * @param roundTrips round trips the server made while traced
     * @return the fields
     */
    public String perRoundTripTsv(long roundTrips) {
        long reads = count(READS);
        long writes = count(WRITES);
        long waits = count(EPOLL_WAITS);
        long ctl = count(Set.of("epoll_ctl"));
        long futex = count(Set.of("futex"));
        long other = total() - reads - writes - waits - ctl - futex;
        double n = roundTrips;
        return String.format(Locale.ROOT, "%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f",
                total() / n, reads / n, failedReads / n, writes / n, waits / n, ctl / n, futex / n, other / n);
    }
}
