package dev.fiberio.bench.jmh;

/**
 * The JVM flags every forked benchmark JVM gets, whatever the contender. They are compile-time
 * constants so that {@code @Fork(jvmArgsAppend = ...)} can list them.
 */
public final class BenchFlags {
    /** Lets fiber-core reach {@code jdk.internal.vm.Continuation}. */
    public static final String ADD_EXPORTS = "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED";
    /** Lets fiber-core's monitor check walk a fiber's frames (the README's third flag). */
    public static final String ADD_OPENS = "--add-opens=java.base/java.lang=ALL-UNNAMED";
    /** Lets the epoll backend call libc through FFM without a warning. */
    public static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    /** A fixed heap, so that heap resizing does not differ between contenders. */
    public static final String HEAP_MIN = "-Xms1g";
    /** A fixed heap (see {@link #HEAP_MIN}). */
    public static final String HEAP_MAX = "-Xmx1g";
    /** One carrier for virtual threads: the one-worker benchmarks. */
    public static final String VT_ONE_CARRIER = "-Djdk.virtualThreadScheduler.parallelism=1";
    /** Two carriers for virtual threads: the two-worker benchmarks. */
    public static final String VT_TWO_CARRIERS = "-Djdk.virtualThreadScheduler.parallelism=2";

    private BenchFlags() {
    }
}
