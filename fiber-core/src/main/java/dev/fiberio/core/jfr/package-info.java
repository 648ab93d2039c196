/**
 * JDK Flight Recorder events of fiberio, all named {@code dev.fiberio.*}: fiber start and end and
 * resume latency (off by default: one per fiber or suspension), pinned waits and poller waits (above
 * 20 ms), and the watchdog's long-run findings. Enable them as any JFR event, e.g.
 * {@code -XX:StartFlightRecording:settings=profile,+dev.fiberio.FiberResumed#enabled=true}.
 */
package dev.fiberio.core.jfr;
