package dev.fiberio.bench.load;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One selector thread of the echo load client, driving its share of the connections. Round trips
 * that complete inside the measurement window are counted and their latency recorded; after the
 * window closes no new message is sent, and echoes still on their way are waited for at most
 * {@link #GRACE_NANOS}. All fields are owned by the loop's thread; the client reads the results
 * after joining it.
 */
final class LoadLoop implements Runnable {
    static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final Selector selector;
    private final List<EchoConnection> connections;
    private final long measureFromNanos;
    private final long stopAtNanos;
    private final boolean requireAll;
    private final Histogram latencies = new Histogram(3);
    private long measured;
    private long errors;

    /**
     * @param connections      this loop's connections (connected, non-blocking, not registered)
     * @param measureFromNanos start of the measurement window ({@link System#nanoTime()})
     * @param stopAtNanos      end of the window: no message is sent after it
     * @param requireAll       fixed-count mode: a connection that has not made all its round trips
     *                         by the end counts as an error
     */
    LoadLoop(List<EchoConnection> connections, long measureFromNanos, long stopAtNanos, boolean requireAll)
            throws IOException {
        this.selector = Selector.open();
        this.connections = new ArrayList<>(connections);
        this.measureFromNanos = measureFromNanos;
        this.stopAtNanos = stopAtNanos;
        this.requireAll = requireAll;
        for (EchoConnection c : connections) {
            c.register(selector);
        }
    }

    @Override
    public void run() {
        try (selector) {
            int active = 0;
            for (EchoConnection c : connections) {
                active += start(c) ? 1 : 0;
            }
            while (active > 0) {
                long now = System.nanoTime();
                if (now - stopAtNanos - GRACE_NANOS >= 0) {
                    break; // echoes that have not come back by now are abandoned
                }
                selector.select(100);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (!step((EchoConnection) key.attachment(), key)) {
                        active--;
                    }
                }
            }
        } catch (IOException e) {
            errors++;
        } finally {
            for (EchoConnection c : connections) {
                if (!c.isClosed() && (c.inFlight() || (requireAll && c.wantsMore()))) {
                    errors++; // no echo before the end, or round trips left undone
                }
                c.close();
            }
        }
    }

    private boolean start(EchoConnection c) {
        try {
            c.send();
            return true;
        } catch (IOException e) {
            errors++;
            c.close();
            return false;
        }
    }

    /** Handles one ready connection; false once it is finished or failed. */
    private boolean step(EchoConnection c, SelectionKey key) {
        try {
            if (key.isWritable()) {
                c.onWritable();
            }
            if (!key.isReadable()) {
                return true;
            }
            long rtt = c.onReadable();
            if (rtt < 0) {
                return true;
            }
            long now = System.nanoTime();
            if (now - measureFromNanos >= 0 && now - stopAtNanos < 0) {
                latencies.recordValue(rtt);
                measured++;
            }
            if (c.wantsMore() && now - stopAtNanos < 0) {
                c.send();
                return true;
            }
            return false;
        } catch (IOException e) {
            errors++;
            key.cancel();
            c.close();
            return false;
        }
    }

    Histogram latencies() {
        return latencies;
    }

    long measured() {
        return measured;
    }

    long errors() {
        return errors;
    }
}
