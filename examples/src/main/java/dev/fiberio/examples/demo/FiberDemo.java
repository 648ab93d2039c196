package dev.fiberio.examples.demo;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts many fibers that sleep and yield, and reports how they spread over the workers. */
public final class FiberDemo {
    private static final Logger LOG = LoggerFactory.getLogger(FiberDemo.class);

    private FiberDemo() {
    }

    /**
     * Entry point.
     *
     * @param args {@code [fibers]} (default 100000), or {@code --help}
     */
    public static void main(String[] args) {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println("usage: FiberDemo [fibers]   (default 100000): spawns fibers that sleep 10 ms,"
                    + " yield 10 times and end");
            return;
        }
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        try (FiberScheduler scheduler = FiberScheduler.builder().name("demo").build()) {
            LongAdder switches = new LongAdder();
            long t0 = System.nanoTime();
            List<Fiber> fibers = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                fibers.add(scheduler.spawn(() -> {
                    Fiber.sleep(Duration.ofMillis(10));
                    for (int k = 0; k < 10; k++) {
                        Fiber.yield();
                        switches.increment();
                    }
                }));
            }
            for (Fiber f : fibers) {
                f.join();
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            LOG.info("{} fibers on {} workers: {} suspensions in {} ms", n, scheduler.workerCount(), switches.sum() + n, ms);
        }
    }
}
