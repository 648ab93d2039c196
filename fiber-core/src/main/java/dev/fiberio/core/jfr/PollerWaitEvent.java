package dev.fiberio.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/** An idle worker waited in an I/O poller (epoll_wait, GetQueuedCompletionStatusEx...) instead of parking. */
@Name("dev.fiberio.PollerWait")
@Label("Poller Wait")
@Category({"fiberio", "I/O"})
@Description("An idle worker blocked in its scheduler's I/O poller")
@Threshold("20 ms")
@StackTrace(false)
public final class PollerWaitEvent extends jdk.jfr.Event {
    /** The poller. */
    @Label("Poller")
    public String poller;
    /** Events it dispatched when it returned. */
    @Label("Events")
    public int events;

    /** Creates an event; fill the fields, then commit it if enabled. */
    public PollerWaitEvent() {
    }
}
