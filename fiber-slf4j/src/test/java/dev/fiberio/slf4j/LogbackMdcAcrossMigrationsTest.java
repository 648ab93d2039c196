package dev.fiberio.slf4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * {@code org.slf4j.MDC} with Logback, through {@link FiberLogbackServiceProvider} (selected by the
 * {@code slf4j.provider} property in this module's Surefire configuration): values survive many
 * suspensions on a two-worker scheduler, and Logback's {@code %X} shows each fiber's own values.
 */
class LogbackMdcAcrossMigrationsTest {
    private static final int FIBERS = 4;
    private static final int YIELDS = 5_000;
    private static final int LOG_EVERY = 250;

    private final Queue<String> lines = new ConcurrentLinkedQueue<>();
    private Logger logger;
    private LinesAppender appender;

    /** Formats each event with a pattern that has %X, as a file or console appender would. */
    private final class LinesAppender extends AppenderBase<ILoggingEvent> {
        private final PatternLayout layout = new PatternLayout();

        LinesAppender(LoggerContext ctx) {
            setContext(ctx);
            layout.setContext(ctx);
            layout.setPattern("%X{request}|%X{user}|%msg");
            layout.start();
        }

        @Override
        protected void append(ILoggingEvent event) {
            lines.add(layout.doLayout(event));
        }
    }

    @BeforeEach
    void attachAppender() {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        logger = ctx.getLogger("mdc-test");
        logger.setAdditive(false);
        appender = new LinesAppender(ctx);
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void detachAppender() {
        logger.detachAppender(appender);
        MDC.clear();
    }

    @Test
    void theProviderInstallsTheFiberAdapterIntoSlf4jAndLogback() {
        assertInstanceOf(FiberMDCAdapter.class, MDC.getMDCAdapter());
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        assertInstanceOf(FiberMDCAdapter.class, ctx.getMDCAdapter());
    }

    @Test
    void mdcFollowsEachFiberAcrossManySuspensionsOnTwoWorkers() throws Exception {
        FiberScheduler two = TestSchedulers.create(2);
        AtomicInteger threadLocalWrong = new AtomicInteger();
        ThreadLocal<String> threadLocal = new ThreadLocal<>();
        Set<String> carriers = ConcurrentHashMap.newKeySet();
        AtomicInteger migrations = new AtomicInteger();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        try {
            for (int i = 0; i < FIBERS; i++) {
                String request = "req-" + i;
                CompletableFuture<Void> d = new CompletableFuture<>();
                done.add(d);
                two.spawn(() -> {
                    try {
                        MDC.put("request", request);
                        MDC.put("user", "u" + request.hashCode());
                        String carrier = Thread.currentThread().getName();
                        for (int k = 0; k < YIELDS; k++) {
                            threadLocal.set(request);
                            if (k % 2 == 0) {
                                Fiber.yield();
                            } else {
                                // resumed from the offload pool: an idle worker may take it over
                                Fiber.blocking(() -> null);
                            }
                            String now = Thread.currentThread().getName();
                            if (!now.equals(carrier)) {
                                migrations.incrementAndGet();
                                carrier = now;
                            }
                            if (!request.equals(threadLocal.get())) {
                                threadLocalWrong.incrementAndGet();
                            }
                            carriers.add(now);
                            assertEquals(request, MDC.get("request"), "after yield " + k);
                            if (k % LOG_EVERY == 0) {
                                logger.info("{} step {}", request, k);
                            }
                        }
                        d.complete(null);
                    } catch (Throwable t) {
                        d.completeExceptionally(t);
                    }
                });
            }
            for (CompletableFuture<Void> d : done) {
                d.get();
            }
        } finally {
            TestSchedulers.closeChecked(two);
        }
        System.out.println("migrations seen " + migrations + ", thread-local wrong " + threadLocalWrong);
        assertTrue(threadLocalWrong.get() > 0, "a thread-local MDC would have been right every time");
        // at least both workers; a spare also runs fibers while the watchdog counts a worker as blocked
        assertTrue(carriers.size() >= 2, "the fibers ran on both workers: " + carriers);
        // a lower bound: C2 may keep a carrier read before a suspension (docs/architecture.md)
        assertTrue(migrations.get() > 0, "no fiber moved to the other worker");

        assertEquals(FIBERS * (YIELDS / LOG_EVERY), lines.size());
        for (String line : lines) {
            String[] parts = line.split("\\|");
            String request = parts[0];
            assertEquals("u" + request.hashCode(), parts[1], line);
            assertTrue(parts[2].startsWith(request + " step "), line);
        }
    }

    @Test
    void outsideFibersMdcIsPerThreadAsUsual() throws Exception {
        MDC.put("request", "main");
        logger.info("from the test thread");
        Thread other = Thread.ofPlatform().start(() -> {
            MDC.put("request", "other");
            logger.info("from another thread");
        });
        other.join();
        assertEquals("main", MDC.get("request"));
        assertEquals(List.of("main||from the test thread", "other||from another thread"), List.copyOf(lines));
    }
}
