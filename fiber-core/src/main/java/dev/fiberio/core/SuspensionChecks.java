package dev.fiberio.core;

import dev.fiberio.core.spi.WaitSlot;

import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.lang.ref.Reference;
import java.lang.reflect.Field;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debug checks for the two traps of fiber code that the JVM does not report, on with
 * {@code -Dfiberio.debug.suspensions=true} (costly: for development and tests, not production):
 * <ul>
 *   <li>a {@code ThreadLocal} set by a fiber on its carrier before it suspends: after a migration the
 *       fiber reads another carrier's value (use {@code FiberLocal});</li>
 *   <li>a {@code java.util.concurrent} lock ({@code ReentrantLock}, a read-write lock...) held across a
 *       suspension: its owner is the carrier, and the unlock on another carrier throws
 *       {@code IllegalMonitorStateException} (use {@code FiberLock}).</li>
 * </ul>
 * Monitors ({@code synchronized}) need no check: a fiber holding one waits pinned (see {@link WaitSlot}).
 * Both checks run on the worker, around one run of a fiber; each finding is logged once per kind and
 * counted ({@link #findings()}).
 */
final class SuspensionChecks {
    static final boolean ENABLED = Boolean.getBoolean("fiberio.debug.suspensions");
    private static final Logger LOG = LoggerFactory.getLogger(SuspensionChecks.class);
    private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();
    private static volatile long findings;
    private static final Field THREAD_LOCALS;
    private static final Field TABLE;

    static {
        Field locals = null;
        Field table = null;
        if (ENABLED) {
            try {
                locals = Thread.class.getDeclaredField("threadLocals");
                locals.setAccessible(true); // needs --add-opens java.base/java.lang
                table = Class.forName("java.lang.ThreadLocal$ThreadLocalMap").getDeclaredField("table");
                table.setAccessible(true);
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.warn("fiberio: -Dfiberio.debug.suspensions cannot look at thread-locals without"
                        + " --add-opens java.base/java.lang=ALL-UNNAMED; only locks are checked", e);
                locals = null;
                table = null;
            }
        }
        THREAD_LOCALS = locals;
        TABLE = table;
    }

    private SuspensionChecks() {
    }

    /** Findings so far (for tests). */
    static long findings() {
        return findings;
    }

    /** Before a run: the thread-locals present on the carrier. */
    static Set<Object> beforeRun(Thread carrier) {
        return threadLocals(carrier);
    }

    /** After a run that ended in a suspension: reports thread-locals the fiber added and j.u.c. locks held. */
    static void afterSuspension(Fiber f, Thread carrier, Set<Object> before) {
        for (Object tl : threadLocals(carrier)) {
            if (!before.contains(tl)) {
                report("threadlocal:" + tl.getClass().getName(), "{} set a ThreadLocal ({}) on its carrier {} and then"
                        + " suspended: it may resume on another carrier and not see it (or see another fiber's). Use"
                        + " FiberLocal.", f, tl.getClass().getName(), carrier.getName());
            }
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (mx.isSynchronizerUsageSupported()) {
            ThreadInfo[] info = mx.getThreadInfo(new long[] {carrier.threadId()}, false, true);
            if (info.length == 1 && info[0] != null) {
                for (LockInfo lock : info[0].getLockedSynchronizers()) {
                    report("juclock:" + lock.getClassName(), "{} suspended while its carrier {} holds {}: a"
                            + " java.util.concurrent lock is owned by a thread, and its unlock on another carrier throws"
                            + " IllegalMonitorStateException. Use FiberLock.", f, carrier.getName(), lock);
                }
            }
        }
    }

    private static void report(String kind, String format, Object... args) {
        findings = findings + 1; // workers race here only in debug mode; a lost count is harmless
        if (REPORTED.add(kind)) {
            LOG.warn(format, args);
        }
    }

    private static Set<Object> threadLocals(Thread t) {
        if (THREAD_LOCALS == null) {
            return Set.of();
        }
        try {
            Object map = THREAD_LOCALS.get(t);
            if (map == null) {
                return Set.of();
            }
            Object[] table = (Object[]) TABLE.get(map);
            Set<Object> out = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Object e : table) {
                if (e instanceof Reference<?> r && r.get() != null) {
                    out.add(r.get());
                }
            }
            return out;
        } catch (IllegalAccessException e) {
            return Set.of();
        }
    }
}
