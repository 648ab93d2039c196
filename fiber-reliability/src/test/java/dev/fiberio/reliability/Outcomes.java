package dev.fiberio.reliability;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** A tally of named outcomes of repeated races, checked against the set of allowed ones. */
final class Outcomes {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    /**
     * Counts one occurrence.
     *
     * @param outcome its name
     */
    void add(String outcome) {
        counts.computeIfAbsent(outcome, k -> new LongAdder()).increment();
    }

    /**
     * The outcomes seen that are not in {@code allowed}.
     *
     * @param allowed the acceptable outcome names
     * @return outcome → count, empty if all were allowed
     */
    Map<String, Long> outside(Set<String> allowed) {
        Map<String, Long> bad = new TreeMap<>();
        counts.forEach((k, v) -> {
            if (!allowed.contains(k)) {
                bad.put(k, v.sum());
            }
        });
        return bad;
    }

    /**
     * How often {@code outcome} occurred.
     *
     * @param outcome its name
     * @return the count
     */
    long count(String outcome) {
        LongAdder a = counts.get(outcome);
        return a == null ? 0 : a.sum();
    }

    /**
     * Visits every outcome with its count.
     *
     * @param visitor receives name and count
     */
    void forEach(java.util.function.BiConsumer<String, Long> visitor) {
        counts.forEach((k, v) -> visitor.accept(k, v.sum()));
    }

    @Override
    public String toString() {
        Map<String, Long> sorted = new TreeMap<>();
        counts.forEach((k, v) -> sorted.put(k, v.sum()));
        return sorted.toString();
    }
}
