package dev.fiberio.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * The watchdog's finding: a fiber held a worker longer than the threshold without suspending. Emitted by
 * the watchdog thread, so the fiber's stack is in {@link #fiberStack}, not in the event's stack trace.
 */
@Name("dev.fiberio.FiberLongRun")
@Label("Fiber Long Run")
@Category({"fiberio", "Fibers"})
@Description("A fiber ran on a worker longer than the watchdog threshold without suspending")
@StackTrace(false)
public final class FiberLongRunEvent extends Event {
    /** The fiber's id. */
    @Label("Fiber Id")
    public long fiberId;
    /** The fiber's name. */
    @Label("Fiber Name")
    public String fiberName;
    /** The worker's thread name. */
    @Label("Worker")
    public String worker;
    /** How long it had run when found. */
    @Label("Running For")
    @Timespan(Timespan.NANOSECONDS)
    public long runningFor;
    /** Whether it was waiting pinned rather than computing. */
    @Label("Pinned")
    public boolean pinned;
    /** The fiber's stack when found, one frame per line. */
    @Label("Fiber Stack")
    public String fiberStack;

    /** Creates an event; fill the fields, then commit it if enabled. */
    public FiberLongRunEvent() {
    }
}
