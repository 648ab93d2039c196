package dev.fiberio.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The debug checks ({@code -Dfiberio.debug.suspensions=true}, set for this class by fiber-core's pom). */
class SuspensionChecksTest {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger log = (Logger) LoggerFactory.getLogger(SuspensionChecks.class);
    private FiberScheduler s;

    @BeforeEach
    void setUp() {
        assertTrue(SuspensionChecks.ENABLED, "this class runs with -Dfiberio.debug.suspensions=true");
        appender.start();
        log.addAppender(appender);
        s = TestSchedulers.create(1);
    }

    @AfterEach
    void tearDown() {
        log.detachAppender(appender);
        TestSchedulers.closeChecked(s);
    }

    private static final ThreadLocal<String> REQUEST_ID = new ThreadLocal<>();

    @Test
    void aThreadLocalSetBeforeASuspensionIsReported() {
        s.spawn(() -> {
            REQUEST_ID.set("r-1");
            Fiber.yield();
            REQUEST_ID.remove();
        }).join();
        assertTrue(appender.list.stream().anyMatch(e -> e.getFormattedMessage().contains("set a ThreadLocal")
                && e.getFormattedMessage().contains("FiberLocal")), String.valueOf(appender.list));
    }

    @Test
    void aReentrantLockHeldAcrossASuspensionIsReported() {
        ReentrantLock lock = new ReentrantLock();
        s.spawn(() -> {
            lock.lock();
            try {
                Fiber.sleep(Duration.ofMillis(1)); // one worker: it resumes on the same carrier, so unlock works
            } finally {
                lock.unlock();
            }
        }).join();
        assertTrue(appender.list.stream().anyMatch(e -> e.getFormattedMessage().contains("ReentrantLock")
                && e.getFormattedMessage().contains("FiberLock")), String.valueOf(appender.list));
    }

    @Test
    void aFiberThatKeepsNothingOnItsCarrierIsNotReported() {
        long before = SuspensionChecks.findings();
        s.spawn(() -> {
            FiberLocal<String> id = new FiberLocal<>();
            id.set("r-2");
            Fiber.yield();
        }).join();
        assertTrue(SuspensionChecks.findings() == before, String.valueOf(appender.list));
    }
}
