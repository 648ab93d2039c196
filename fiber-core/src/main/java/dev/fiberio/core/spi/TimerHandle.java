package dev.fiberio.core.spi;

/** A deadline timer armed for a wait; cancelled from any thread when the wait ends first. */
public interface TimerHandle {
    /**
     * Cancels the timer.
     *
     * @return false if it already fired
     */
    boolean cancel();
}
