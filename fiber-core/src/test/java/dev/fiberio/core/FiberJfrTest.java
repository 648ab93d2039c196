package dev.fiberio.core;

import dev.fiberio.core.spi.FiberSpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.spi.Poller;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/** fiberio's JFR events, read back with {@code jdk.jfr.consumer} as a user's tooling would. */
class FiberJfrTest {

    @Test
    void fibersPinsLongRunsAndPollerWaitsAreRecorded() throws Exception {
        Path file = Files.createTempFile("fiberio", ".jfr");
        try (Recording r = new Recording()) {
            for (String name : List.of("FiberStart", "FiberEnd", "FiberResumed", "FiberPinned", "FiberLongRun", "PollerWait")) {
                r.enable("dev.fiberio." + name).withThreshold(Duration.ZERO).withStackTrace();
            }
            r.start();
            FiberScheduler s = FiberScheduler.builder().workers(2).name("jfr").watchdogThreshold(Duration.ofMillis(30))
                    .shutdownTimeout(Duration.ofSeconds(5)).build();
            try {
                SleepingPoller poller = new SleepingPoller();
                FiberSpi.attachPoller(s, poller);
                Object lock = new Object();
                s.spawn("sleeper", () -> Fiber.sleep(Duration.ofMillis(5))).join();
                s.spawn("burner", () -> {
                    long end = System.nanoTime() + Duration.ofMillis(500).toNanos(); // well past the 30 ms threshold
                    while (System.nanoTime() - end < 0) {
                        Thread.onSpinWait();
                    }
                }).join();
                s.spawn("pinned", () -> {
                    synchronized (lock) {
                        Fiber.sleep(Duration.ofMillis(5));
                    }
                }).join();
                TestSchedulers.awaitCondition("a worker waited in the poller", () -> poller.polls > 0);
            } finally {
                TestSchedulers.closeChecked(s);
            }
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        Files.delete(file);
        assertTrue(has(events, "dev.fiberio.FiberStart", "sleeper"));
        assertTrue(has(events, "dev.fiberio.FiberEnd", "sleeper"));
        List<RecordedEvent> resumed = events.stream().filter(e -> e.getEventType().getName().equals("dev.fiberio.FiberResumed")
                && "sleeper".equals(e.getString("fiberName"))).toList();
        assertFalse(resumed.isEmpty(), "the sleep's resume is recorded");
        assertTrue(resumed.stream().allMatch(e -> e.getDuration("parked").toNanos() > 0
                && !e.getDuration("queued").isNegative()), resumed.toString());
        RecordedEvent pinned = events.stream().filter(e -> e.getEventType().getName().equals("dev.fiberio.FiberPinned"))
                .findFirst().orElseThrow();
        assertEquals("pinned", pinned.getString("fiberName"));
        assertEquals("MONITOR", pinned.getString("reason"));
        assertTrue(pinned.getStackTrace().getFrames().stream().anyMatch(f -> f.getMethod().getName().contains("lambda")),
                "the pinned event carries the fiber's stack");
        // The burner runs before the pinned fiber, so the watchdog's rate limit cannot have spent its report.
        RecordedEvent longRun = events.stream().filter(e -> e.getEventType().getName().equals("dev.fiberio.FiberLongRun")
                && "burner".equals(e.getString("fiberName"))).findFirst().orElseThrow();
        assertFalse(longRun.getBoolean("pinned"));
        assertTrue(longRun.getString("fiberStack").contains("FiberJfrTest"), longRun.getString("fiberStack"));
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("dev.fiberio.PollerWait")
                && e.getString("poller").equals("sleeping-poller")));
    }

    private static boolean has(List<RecordedEvent> events, String type, String fiber) {
        return events.stream().anyMatch(e -> e.getEventType().getName().equals(type) && fiber.equals(e.getString("fiberName")));
    }

    /** A poller without I/O: a poll sleeps until its timeout or a wake-up. */
    private static final class SleepingPoller implements Poller {
        volatile int polls;
        private volatile Thread blocked;

        @Override
        public int poll(long timeoutNanos) {
            polls++;
            if (timeoutNanos == 0) {
                return 0;
            }
            blocked = Thread.currentThread();
            LockSupport.parkNanos(this, timeoutNanos < 0 ? Duration.ofMillis(50).toNanos() : Math.min(timeoutNanos, Duration.ofMillis(50).toNanos()));
            blocked = null;
            return 0;
        }

        @Override
        public void wakeup() {
            Thread t = blocked;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }

        @Override
        public void close() {
        }

        @Override
        public String toString() {
            return "sleeping-poller";
        }
    }
}
