package dev.fiberio.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A JUnit 5 test whose body runs in a fiber, on a {@link dev.fiberio.core.FiberScheduler} that the
 * test owns (see {@link FiberTestExtension}). The test fails if its body fails, if fibers it started
 * are still running when it ends (leaked), if the scheduler counted an
 * {@linkplain dev.fiberio.core.FiberScheduler#invariantViolations() invariant violation}, or if the
 * body runs longer than {@link #timeoutSeconds()}. A {@code FiberScheduler} parameter receives the
 * test's scheduler.
 *
 * <pre>{@code
 * @FiberTest(workers = 2)
 * void echoes(FiberScheduler scheduler) throws IOException {
 *     Fiber child = scheduler.spawn(() -> ...);
 *     ...
 *     child.join();            // or it counts as leaked
 * }
 * }</pre>
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Test
@ExtendWith(FiberTestExtension.class)
public @interface FiberTest {
    /**
     * The number of worker threads of the test's scheduler.
     *
     * @return at least 1
     */
    int workers() default 2;

    /**
     * How long the body may run before the test fails and the body's fiber is cancelled.
     *
     * @return seconds, at least 1
     */
    long timeoutSeconds() default 60;

    /**
     * How long fibers started by the test may take to finish after the body returned before they count
     * as leaked (a fiber that signalled the body and is returning is not a leak).
     *
     * @return milliseconds, not negative
     */
    long leakGraceMillis() default 1000;
}
