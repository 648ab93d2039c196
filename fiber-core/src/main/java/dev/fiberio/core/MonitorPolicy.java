package dev.fiberio.core;

import dev.fiberio.core.spi.WaitSlot;

import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;

/**
 * fiberio's policy for a fiber that waits while it cannot switch out — it holds a monitor
 * ({@code synchronized}), or a native frame or class initialiser is on its stack: it is <b>pinned</b>.
 * The wait blocks its carrier thread (which no other fiber uses meanwhile, and on which the fiber
 * continues) and a spare worker compensates; see {@link WaitSlot}. This class says how held monitors
 * are detected ({@link FiberContinuation}) and tells the operator once when they cannot be.
 */
public final class MonitorPolicy {
    private static final AtomicBoolean REPORTED = new AtomicBoolean();

    private MonitorPolicy() {
    }

    /**
     * How a monitor held across a suspension is detected in this JVM: {@code "JVM"} (the JVM refuses the
     * switch; free), {@code "WALK"} (a stack walk per suspension; needs
     * {@code --add-opens java.base/java.lang=ALL-UNNAMED}) or {@code "NONE"}.
     *
     * @return the detector's name
     */
    public static String detection() {
        return FiberContinuation.monitorDetection().name();
    }

    static void reportOnce(Logger log) {
        if (!REPORTED.compareAndSet(false, true)) {
            return;
        }
        switch (FiberContinuation.monitorDetection()) {
            case JVM -> log.debug("fiberio: held monitors are detected by the JVM (pinned waits, no cost)");
            case WALK -> log.warn("fiberio: held monitors are detected by a stack walk per suspension, which is best"
                    + " effort: the JDK's walker does not always report a monitor held by a frame of a fiber (measured: about"
                    + " 4 suspensions in 1,000 inside synchronized went undetected under stress), and such a monitor migrates"
                    + " with the fiber. Run with -XX:LockingMode=1 (JDK 25), where the JVM detects them, or keep"
                    + " synchronized from spanning a suspension (use FiberLock)");
            case NONE -> log.warn("fiberio: this JVM cannot detect a fiber that suspends inside synchronized"
                    + " (such a monitor would migrate with the fiber). Add --add-opens java.base/java.lang=ALL-UNNAMED,"
                    + " or -XX:LockingMode=1 on JDK 25, unless -Dfiberio.monitors=unchecked was meant");
        }
    }
}
