package dev.fiberio.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A fiber ended, normally or with an exception. Off by default: one per fiber. */
@Name("dev.fiberio.FiberEnd")
@Label("Fiber End")
@Category({"fiberio", "Fibers"})
@Description("A fiber terminated")
@Enabled(false)
@StackTrace(false)
public final class FiberEndEvent extends Event {
    /** The fiber's id. */
    @Label("Fiber Id")
    public long fiberId;
    /** The fiber's name. */
    @Label("Fiber Name")
    public String fiberName;
    /** The class of the exception it ended with, or null. */
    @Label("Failure")
    public String failure;

    /** Creates an event; fill the fields, then commit it if enabled. */
    public FiberEndEvent() {
    }
}
