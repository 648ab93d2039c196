package dev.fiberio.core;

import dev.fiberio.core.spi.WaitSlot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.fiberio.core.sync.FiberChannel;
import dev.fiberio.core.sync.FiberLock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * The monitor policy: a fiber that waits while holding a monitor (or inside a native callback) waits
 * pinned on its carrier — it never migrates with the monitor, no other fiber runs on that carrier
 * meanwhile, and a spare worker keeps the scheduler's parallelism. Written from what a user of
 * {@code synchronized} expects: mutual exclusion, {@code holdsLock}, no deadlock.
 */
class PinnedWaitTest {
    private static final Duration JOIN = Duration.ofSeconds(60);

    @Test
    void theJvmOrAStackWalkDetectsHeldMonitorsInTheTestConfiguration() {
        assertTrue(MonitorPolicy.detection().equals("JVM") || MonitorPolicy.detection().equals("WALK"),
                "held monitors must be detected where the README's flags are given: " + MonitorPolicy.detection());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void sleepingInsideSynchronizedKeepsMutualExclusionTheCarrierAndTheMonitor(int workers) {
        FiberScheduler s = TestSchedulers.create(workers);
        Object lock = new Object();
        boolean[] inside = {false};
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        AtomicInteger entries = new AtomicInteger();
        try {
            List<Fiber> fibers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                fibers.add(s.spawn(() -> {
                    for (int round = 0; round < 10; round++) {
                        synchronized (lock) {
                            if (inside[0]) {
                                errors.add("two fibers inside one monitor");
                            }
                            inside[0] = true;
                            Thread carrier = Thread.currentThread();
                            Fiber.sleep(Duration.ofMillis(1));
                            if (!Thread.holdsLock(lock)) {
                                errors.add("the monitor was lost across the wait");
                            }
                            if (Thread.currentThread() != carrier) {
                                errors.add("a fiber holding a monitor moved to another carrier");
                            }
                            inside[0] = false;
                            entries.incrementAndGet();
                        }
                        Fiber.yield();
                    }
                }));
            }
            for (Fiber f : fibers) {
                assertTrue(f.join(JOIN), "deadlock: " + s.dump());
            }
            assertEquals(List.of(), List.copyOf(errors));
            assertEquals(80, entries.get());
            assertFalse(Thread.holdsLock(lock));
        } finally {
            TestSchedulers.closeChecked(s);
        }
    }

    @Test
    void aLongSleepInsideSynchronizedDoesNotStrandTheContendersWorkerOrItsTimer() {
        // The shape of the reported deadlock: A sleeps 100 ms holding the monitor; a fiber on the same
        // worker contends for it; A's timer lives on that worker.
        FiberScheduler s = TestSchedulers.create(4);
        Object lock = new Object();
        try {
            Fiber a = s.spawn(() -> {
                synchronized (lock) {
                    Fiber.sleep(Duration.ofMillis(100));
                }
            });
            List<Fiber> contenders = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                contenders.add(s.spawn(() -> {
                    synchronized (lock) {
                        Fiber.yield();
                    }
                }));
            }
            assertTrue(a.join(JOIN), "deadlock: " + s.dump());
            for (Fiber c : contenders) {
                assertTrue(c.join(JOIN), "deadlock: " + s.dump());
            }
        } finally {
            TestSchedulers.closeChecked(s);
        }
    }

    @Test
    void aFiberLockAndAChannelWaitedForInsideSynchronizedAreHandedOverByFibersOfTheSameSingleWorker() {
        FiberScheduler s = TestSchedulers.create(1);
        Object monitor = new Object();
        FiberLock fiberLock = new FiberLock();
        FiberChannel<String> channel = new FiberChannel<>(0);
        try {
            Fiber holder = s.spawn(() -> {
                fiberLock.lock();
                try {
                    assertEquals("go", channel.receive());
                } finally {
                    fiberLock.unlock();
                }
            });
            Fiber pinned = s.spawn(() -> {
                synchronized (monitor) {
                    channel.send("go");     // rendezvous with the holder: waits pinned until it receives
                    fiberLock.lock();       // waits pinned until the holder unlocks
                    fiberLock.unlock();
                }
            });
            assertTrue(pinned.join(JOIN), "deadlock: " + s.dump());
            assertTrue(holder.join(JOIN), "deadlock: " + s.dump());
        } finally {
            TestSchedulers.closeChecked(s);
        }
    }

    @Test
    void objectWaitInAFiberIsNotifiedByAFiberOfTheSameSingleWorker() {
        // Object.wait() blocks the carrier inside the JVM; the watchdog sees a blocked worker and lets a
        // spare run the notifier.
        FiberScheduler s = TestSchedulers.create(1);
        Object o = new Object();
        boolean[] flag = {false};
        try {
            Fiber waiter = s.spawn(() -> {
                synchronized (o) {
                    while (!flag[0]) {
                        try {
                            o.wait();
                        } catch (InterruptedException e) {
                            throw new AssertionError(e);
                        }
                    }
                }
            });
            Fiber notifier = s.spawn(() -> {
                synchronized (o) {
                    flag[0] = true;
                    o.notifyAll();
                }
            });
            assertTrue(notifier.join(JOIN), "deadlock: " + s.dump());
            assertTrue(waiter.join(JOIN), "deadlock: " + s.dump());
        } finally {
            TestSchedulers.closeChecked(s);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void nestedMonitorsHeldAcrossAWaitStayExclusiveAndAreReleasedInOrder(int workers) {
        FiberScheduler s = TestSchedulers.create(workers);
        Object outer = new Object();
        Object inner = new Object();
        int[] counter = {0};
        try {
            List<Fiber> fibers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                fibers.add(s.spawn(() -> {
                    for (int r = 0; r < 5; r++) {
                        synchronized (outer) {
                            synchronized (inner) {
                                int before = counter[0];
                                Fiber.sleep(Duration.ofMillis(1));
                                counter[0] = before + 1; // a lost update if two fibers were inside
                            }
                            assertFalse(Thread.holdsLock(inner));
                            assertTrue(Thread.holdsLock(outer));
                        }
                    }
                }));
            }
            for (Fiber f : fibers) {
                assertTrue(f.join(JOIN), "deadlock: " + s.dump());
            }
            assertEquals(30, counter[0]);
        } finally {
            TestSchedulers.closeChecked(s);
        }
    }

    @Test
    void anExceptionThrownAfterAPinnedWaitReleasesTheMonitor() throws Exception {
        FiberScheduler s = TestSchedulers.create(2);
        Object lock = new Object();
        try {
            Fiber f = s.spawn(() -> {
                synchronized (lock) {
                    Fiber.sleep(Duration.ofMillis(5));
                    throw new IllegalStateException("boom");
                }
            });
            f.join(JOIN);
        } catch (java.util.concurrent.CompletionException expected) {
            assertTrue(expected.getCause() instanceof IllegalStateException);
        } finally {
            TestSchedulers.closeChecked(s);
        }
        Thread t = new Thread(() -> {
            synchronized (lock) { // would block forever if the monitor had leaked to a worker thread
                lock.notifyAll();
            }
        });
        t.start();
        t.join(JOIN.toMillis());
        assertFalse(t.isAlive(), "the monitor leaked: a thread cannot enter it");
    }

    @Test
    void theWatchdogNamesAPinnedFiberWithItsStack() {
        Logger log = (Logger) LoggerFactory.getLogger(Watchdog.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        log.addAppender(appender);
        FiberScheduler s = FiberScheduler.builder().workers(2).name("pinned-watchdog")
                .watchdogThreshold(Duration.ofMillis(40)).shutdownTimeout(Duration.ofSeconds(5)).build();
        Object lock = new Object();
        try {
            WaitSlot release = new WaitSlot();
            Fiber f = s.spawn("holds-a-monitor", () -> {
                synchronized (lock) {
                    release.await();
                }
            });
            TestSchedulers.awaitCondition("the watchdog reports the pinned fiber", () -> appender.list.stream()
                    .anyMatch(e -> e.getFormattedMessage().contains("holds-a-monitor")
                            && e.getFormattedMessage().contains("pinned")));
            ILoggingEvent report = appender.list.stream()
                    .filter(e -> e.getFormattedMessage().contains("pinned")).findFirst().orElseThrow();
            assertTrue(report.getThrowableProxy() != null && report.getThrowableProxy().getStackTraceElementProxyArray().length > 0,
                    "the report carries the fiber's stack");
            release.signal();
            assertTrue(f.join(JOIN));
        } finally {
            log.detachAppender(appender);
            TestSchedulers.closeChecked(s);
        }
    }

    @Test
    void fibersAbandonedByAClosedSchedulerReleaseTheirJoiners() throws Exception {
        FiberScheduler s = FiberScheduler.builder().workers(1).name("abandon")
                .shutdownTimeout(Duration.ofMillis(200)).build();
        WaitSlot never = new WaitSlot();
        Fiber stubborn = s.spawn(never::awaitUninterruptibly); // ignores cancellation; nobody wakes it
        TestSchedulers.awaitCondition("the fiber waits", () -> never.state() == WaitSlot.SUSPENDED);
        s.close();
        Thread joiner = new Thread(() -> assertThrows(FiberCancelledException.class, stubborn::join));
        joiner.start();
        joiner.join(JOIN.toMillis());
        assertFalse(joiner.isAlive(), "Fiber.join() from a thread hung after the scheduler closed");
        assertEquals(FiberState.TERMINATED, stubborn.state());
    }
}
