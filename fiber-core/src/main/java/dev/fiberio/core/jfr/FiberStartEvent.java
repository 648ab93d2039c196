package dev.fiberio.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A fiber was started (spawned); the stack is the spawner's. Off by default: one per fiber. */
@Name("dev.fiberio.FiberStart")
@Label("Fiber Start")
@Category({"fiberio", "Fibers"})
@Description("A fiber was spawned")
@Enabled(false)
@StackTrace(false)
public final class FiberStartEvent extends Event {
    /** The fiber's id. */
    @Label("Fiber Id")
    public long fiberId;
    /** The fiber's name. */
    @Label("Fiber Name")
    public String fiberName;
    /** Its scheduler's name. */
    @Label("Scheduler")
    public String scheduler;

    /** Creates an event; fill the fields, then commit it if enabled. */
    public FiberStartEvent() {
    }
}
