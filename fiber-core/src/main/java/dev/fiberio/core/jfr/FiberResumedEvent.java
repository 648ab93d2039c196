package dev.fiberio.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A suspended fiber runs again: how long it was parked (suspension to wake-up) and how long it then
 * waited in a run queue (wake-up to running). Off by default: one per suspension.
 */
@Name("dev.fiberio.FiberResumed")
@Label("Fiber Resumed")
@Category({"fiberio", "Fibers"})
@Description("A suspended fiber was resumed and runs again: park time and run-queue latency")
@Enabled(false)
@StackTrace(false)
public final class FiberResumedEvent extends Event {
    /** The fiber's id. */
    @Label("Fiber Id")
    public long fiberId;
    /** The fiber's name. */
    @Label("Fiber Name")
    public String fiberName;
    /** From the suspension to the wake-up. */
    @Label("Parked")
    @Timespan(Timespan.NANOSECONDS)
    public long parked;
    /** From the wake-up to running on a worker: scheduling latency. */
    @Label("Queued")
    @Timespan(Timespan.NANOSECONDS)
    public long queued;

    /** Creates an event; fill the fields, then commit it if enabled. */
    public FiberResumedEvent() {
    }
}
