package dev.fiberio.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Threshold;

/**
 * A fiber waited pinned on its carrier: it could not switch out because it held a monitor or had a
 * native frame or class initialiser on its stack. The stack trace is the fiber's, at the wait.
 */
@Name("dev.fiberio.FiberPinned")
@Label("Fiber Pinned")
@Category({"fiberio", "Fibers"})
@Description("A fiber waited while pinned to its carrier thread (held monitor, native frame, class initialiser)")
@Threshold("20 ms")
public final class FiberPinnedEvent extends jdk.jfr.Event {
    /** The fiber's id. */
    @Label("Fiber Id")
    public long fiberId;
    /** The fiber's name. */
    @Label("Fiber Name")
    public String fiberName;
    /** Why it could not switch out (MONITOR, NATIVE, CRITICAL_SECTION...). */
    @Label("Reason")
    public String reason;

    /** Creates an event; fill the fields, then commit it if enabled. */
    public FiberPinnedEvent() {
    }
}
