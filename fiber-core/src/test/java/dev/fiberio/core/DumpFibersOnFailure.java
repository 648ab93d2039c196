package dev.fiberio.core;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Prints the fibers of a test's scheduler when the test failed or timed out, before {@code @AfterEach}
 * closes it. A thread dump shows workers parked or polling; only this shows where each fiber waits, which
 * is what a hang in a suite needs. Register with
 * {@code @RegisterExtension final DumpFibersOnFailure dump = new DumpFibersOnFailure(() -> scheduler);}.
 */
public final class DumpFibersOnFailure implements AfterTestExecutionCallback {
    private final Supplier<FiberScheduler> scheduler;

    /**
     * @param scheduler the test's current scheduler (may supply null)
     */
    public DumpFibersOnFailure(Supplier<FiberScheduler> scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        if (context.getExecutionException().isEmpty()
                || context.getExecutionException().get() instanceof org.opentest4j.TestAbortedException) {
            return; // passed, or skipped by an assumption
        }
        FiberScheduler s = scheduler.get();
        if (s == null) {
            return;
        }
        // System.out: surefire keeps it in the test's -output.txt report beside JUnit's thread dump.
        System.out.println("=== fibers of " + context.getDisplayName() + " after "
                + context.getExecutionException().get() + " ===");
        System.out.println(s.dump());
    }
}
