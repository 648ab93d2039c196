package dev.fiberio.core.sync;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of this package's tests: a fresh scheduler of {@link SyncTesting#WORKERS} workers per test,
 * closed afterwards with the check that no scheduler invariant was broken.
 */
abstract class SchedulerTest {
    /** The test's scheduler. */
    FiberScheduler s;

    @BeforeEach
    final void createScheduler() {
        s = TestSchedulers.create(SyncTesting.WORKERS);
    }

    @AfterEach
    final void closeSchedulerChecked() {
        TestSchedulers.closeChecked(s);
    }
}
