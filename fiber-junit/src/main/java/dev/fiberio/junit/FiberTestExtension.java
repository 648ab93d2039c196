package dev.fiberio.junit;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Runs each test method in a fiber on a scheduler of its own, and checks the scheduler afterwards.
 * Used through {@link FiberTest}, or with {@code @ExtendWith(FiberTestExtension.class)} on a class,
 * which makes every {@code @Test} (and parameterized test) of the class run so, with
 * {@link FiberTest}'s defaults.
 *
 * <p>Per test: before it, a scheduler named after the test is built (a {@code FiberScheduler}
 * parameter receives it); the method body runs in a fiber of it, {@code @BeforeEach} and
 * {@code @AfterEach} methods on the test thread. After the body, the test fails with an
 * {@link AssertionError} if fibers of the scheduler are still live once the leak grace has passed
 * (the message has the scheduler's {@code dump()}), or if
 * {@link FiberScheduler#invariantViolations()} is not 0; then the scheduler is closed, which cancels
 * leaked fibers. A failure of the body itself is rethrown as it is, with any of those findings
 * attached as suppressed exceptions.
 */
public class FiberTestExtension implements BeforeEachCallback, InvocationInterceptor, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(FiberTestExtension.class);
    private static final Duration SHUTDOWN = Duration.ofSeconds(2);

    /** Created by JUnit. */
    public FiberTestExtension() {
    }

    private record Settings(int workers, long timeoutSeconds, long leakGraceMillis) {
        static Settings of(ExtensionContext context) {
            FiberTest a = context.getTestMethod()
                    .flatMap(m -> AnnotationSupport.findAnnotation(m, FiberTest.class))
                    .orElse(null);
            if (a == null) {
                return new Settings(2, 60, 1000);
            }
            if (a.workers() < 1 || a.timeoutSeconds() < 1 || a.leakGraceMillis() < 0) {
                throw new IllegalArgumentException("@FiberTest needs workers >= 1, timeoutSeconds >= 1 and"
                        + " leakGraceMillis >= 0: " + a);
            }
            return new Settings(a.workers(), a.timeoutSeconds(), a.leakGraceMillis());
        }
    }

    /** The scheduler of one test, closed by JUnit when the test's context ends if the test did not. */
    private static final class OwnedScheduler implements AutoCloseable {
        final FiberScheduler scheduler;
        final Settings settings;

        OwnedScheduler(FiberScheduler scheduler, Settings settings) {
            this.scheduler = scheduler;
            this.settings = settings;
        }

        @Override
        public void close() {
            scheduler.close();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Settings settings = Settings.of(context);
        FiberScheduler scheduler = FiberScheduler.builder()
                .name("test-" + context.getRequiredTestMethod().getName())
                .workers(settings.workers())
                .shutdownTimeout(SHUTDOWN)
                .build();
        context.getStore(NAMESPACE).put(OwnedScheduler.class, new OwnedScheduler(scheduler, settings));
    }

    private static OwnedScheduler owned(ExtensionContext context) {
        OwnedScheduler o = context.getStore(NAMESPACE).get(OwnedScheduler.class, OwnedScheduler.class);
        if (o == null) {
            throw new IllegalStateException("no fiber scheduler for " + context.getDisplayName()
                    + ": FiberTestExtension runs test methods only");
        }
        return o;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == FiberScheduler.class
                && parameter.getDeclaringExecutable() instanceof Method;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        try {
            return owned(context).scheduler;
        } catch (IllegalStateException e) {
            throw new ParameterResolutionException(e.getMessage(), e);
        }
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext context) throws Throwable {
        runInFiber(invocation, context);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation,
            ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
        runInFiber(invocation, context);
    }

    private static void runInFiber(Invocation<Void> invocation, ExtensionContext context) throws Throwable {
        OwnedScheduler owned = owned(context);
        FiberScheduler scheduler = owned.scheduler;
        Settings settings = owned.settings;
        AtomicReference<Throwable> bodyFailure = new AtomicReference<>();
        Throwable failure = null;
        try {
            Fiber body = scheduler.spawn("test-body", () -> {
                try {
                    invocation.proceed();
                } catch (Throwable t) {
                    bodyFailure.set(t);
                }
            });
            if (!body.join(Duration.ofSeconds(settings.timeoutSeconds()))) {
                String dump = scheduler.dump();
                body.cancel();
                failure = new AssertionError("test body did not finish within " + settings.timeoutSeconds()
                        + " s; fibers:\n" + dump);
            } else {
                failure = bodyFailure.get();
                AssertionError leak = leaked(scheduler, settings.leakGraceMillis());
                if (leak != null) {
                    failure = combine(failure, leak);
                }
            }
        } finally {
            scheduler.close();
            long violations = scheduler.invariantViolations();
            if (violations != 0) {
                failure = combine(failure, new AssertionError("the scheduler counted " + violations
                        + " invariant violation(s) (a fiber resumed twice or before its hook); see the log"));
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Waits up to the grace for the test's other fibers to end; a failure naming those that did not. */
    private static AssertionError leaked(FiberScheduler scheduler, long graceMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        while (scheduler.liveFibers() > 0 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        int live = scheduler.liveFibers();
        if (live == 0) {
            return null;
        }
        return new AssertionError(live + " fiber(s) leaked: still running " + graceMillis
                + " ms after the test body ended (join or cancel the fibers a test starts):\n" + scheduler.dump());
    }

    private static Throwable combine(Throwable first, Throwable next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
