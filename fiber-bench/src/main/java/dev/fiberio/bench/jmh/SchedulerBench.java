package dev.fiberio.bench.jmh;

import dev.fiberio.core.FiberScheduler;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What every benchmark class shares (JMH applies a superclass's annotations and setup methods to its
 * subclasses): average time in nanoseconds per operation, the default warm-up and measurement
 * (override them on the command line, see jmh.sh), and one fiberio scheduler per trial, closed
 * with its invariant check. Subclasses add {@code @Fork} with their flags and the contenders' methods.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class SchedulerBench {
    /** The fiberio contender's scheduler, live during a trial. */
    protected FiberScheduler scheduler;

    /**
     * Worker count of the fiberio scheduler (the virtual-thread carrier count in {@code @Fork} matches).
     *
     * @return workers
     */
    protected abstract int workers();

    /** Creates the scheduler. */
    @Setup
    public void setUp() {
        scheduler = Contenders.fiberScheduler(workers());
    }

    /** Closes the scheduler, failing the trial on invariant violations. */
    @TearDown
    public void tearDown() {
        Contenders.closeChecked(scheduler);
    }
}
