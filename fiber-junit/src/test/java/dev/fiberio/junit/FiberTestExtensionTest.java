package dev.fiberio.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * The extension's verdicts, checked by running fixture tests through the JUnit engine
 * ({@link EngineTestKit}). The fixtures are nested classes, which Surefire does not run by itself.
 */
class FiberTestExtensionTest {
    /** The scheduler the last fixture ran on, to check that it was closed. */
    static final AtomicReference<FiberScheduler> LAST = new AtomicReference<>();

    /** Runs the fixtures only when this test launches them (not when a build tool finds them). */
    static final class OnlyInTheKit implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(KIT).isPresent()
                    ? ConditionEvaluationResult.enabled("launched by FiberTestExtensionTest")
                    : ConditionEvaluationResult.disabled("a fixture of FiberTestExtensionTest");
        }
    }

    private static final String KIT = "dev.fiberio.junit.fixtures";

    @ExtendWith(OnlyInTheKit.class)
    static class Fixtures {
        @FiberTest
        void passes(FiberScheduler scheduler) {
            LAST.set(scheduler);
            Fiber.yield();
        }

        @FiberTest(leakGraceMillis = 100)
        void leaksAFiber(FiberScheduler scheduler) {
            LAST.set(scheduler);
            scheduler.spawn("forgotten", Fiber::park);
        }

        @FiberTest
        void failsAnAssertion() {
            throw new AssertionError("the body's own failure");
        }

        @FiberTest(timeoutSeconds = 1)
        void neverEnds(FiberScheduler scheduler) {
            LAST.set(scheduler);
            while (true) {
                Fiber.park(); // only cancellation ends it
                Fiber.checkCancelled();
            }
        }

        @FiberTest(workers = 0)
        void badSettings() {
        }
    }

    private static Events run(String method) {
        Method m = Arrays.stream(Fixtures.class.getDeclaredMethods())
                .filter(d -> d.getName().equals(method))
                .findFirst()
                .orElseThrow();
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameter(KIT, "true")
                .selectors(selectMethod(Fixtures.class, m))
                .execute()
                .testEvents();
    }

    private static Throwable onlyFailure(Events events) {
        events.assertStatistics(s -> s.started(1).failed(1).succeeded(0));
        List<Event> failed = events.failed().list();
        TestExecutionResult result = failed.get(0).getRequiredPayload(TestExecutionResult.class);
        return result.getThrowable().orElseThrow();
    }

    @Test
    void aCleanFiberTestPassesAndItsSchedulerIsClosed() {
        run("passes").assertStatistics(s -> s.started(1).succeeded(1).failed(0));
        assertTrue(LAST.get().isClosed());
    }

    @Test
    void aLeakedFiberFailsTheTestNamingItAndIsCancelled() {
        Throwable t = onlyFailure(run("leaksAFiber"));
        assertInstanceOf(AssertionError.class, t);
        assertTrue(t.getMessage().contains("1 fiber(s) leaked"), t.getMessage());
        assertTrue(t.getMessage().contains("forgotten"), t.getMessage());
        assertTrue(LAST.get().isClosed());
        assertEquals(0, LAST.get().liveFibers());
    }

    @Test
    void theBodysOwnFailureIsReportedAsItIs() {
        Throwable t = onlyFailure(run("failsAnAssertion"));
        assertEquals("the body's own failure", t.getMessage());
    }

    @Test
    void aBodyThatDoesNotEndFailsAtItsTimeout() {
        Throwable t = onlyFailure(run("neverEnds"));
        assertTrue(t.getMessage().contains("did not finish within 1 s"), t.getMessage());
        assertTrue(LAST.get().isClosed());
        assertEquals(0, LAST.get().liveFibers());
    }

    @Test
    void badSettingsAreRefusedWithAClearMessage() {
        Throwable t = onlyFailure(run("badSettings"));
        assertInstanceOf(IllegalArgumentException.class, t);
        assertTrue(t.getMessage().contains("workers >= 1"), t.getMessage());
    }
}
