package dev.fiberio.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Descriptor exhaustion: an echo server in a child JVM whose {@code RLIMIT_NOFILE} leaves a small
 * headroom ({@link FdLimitedEchoServer}). Connections are opened one at a time until one is not accepted
 * because {@code accept4} failed with {@code EMFILE} (the server logs it). Then the established
 * connections must still be served, the server must back off rather than spin, and once connections
 * close it must accept the waiting one and new ones again; in the end it holds no descriptor but its
 * listener.
 */
@Tag("reliability")
@OnSelectedBackend
class FdExhaustionTest {
    private static final int HEADROOM = 40;
    private static final int HANG_GUARD_MILLIS = 60_000;
    private static final Duration BACKOFF_WINDOW = Duration.ofSeconds(2);
    private static final Predicate<String> EXHAUSTED = l -> l.contains("EMFILE") && l.contains("out of descriptors");

    @Test
    void theServerKeepsServingBacksOffAndRecoversWhenDescriptorsRunOut() throws Exception {
        List<Socket> served = new ArrayList<>();
        Socket waiting = null;
        try (ChildJvm child = ChildJvm.start(FdLimitedEchoServer.class, String.valueOf(HEADROOM))) {
            String[] started = child.awaitLine("the child's port", l -> l.startsWith("PORT ")).split(" ");
            int port = Integer.parseInt(started[1]);
            // Open connections one by one until one is left unaccepted for want of descriptors.
            while (waiting == null) {
                assertTrue(served.size() <= HEADROOM + 2, () -> "the child never ran out of descriptors; output:\n" + child.output());
                Socket s = connect(port);
                s.getOutputStream().write(served.size());
                if (echoedBeforeExhaustion(s, child, served.size())) {
                    served.add(s);
                } else {
                    waiting = s;
                }
            }
            int servedAtExhaustion = served.size();
            // While descriptors stay exhausted the acceptor must back off, not spin on accept4: a spinning
            // worker would use about the whole window of CPU time.
            Duration cpuBefore = child.cpuTime();
            Thread.sleep(BACKOFF_WINDOW.toMillis()); // a measuring window, not a synchronisation
            Duration cpuWhileExhausted = child.cpuTime().minus(cpuBefore);
            // Established connections are still served.
            byte[] message = new byte[1000];
            for (int i = 0; i < served.size(); i++) {
                Arrays.fill(message, (byte) i);
                assertEchoed(served.get(i), message);
            }
            // Free five descriptors: the backed-off accept takes the waiting connection...
            for (int i = 0; i < 5; i++) {
                served.removeLast().close();
            }
            assertEquals(servedAtExhaustion, waiting.getInputStream().read(), "the waiting connection's byte is echoed");
            served.add(waiting);
            waiting = null;
            // ...and new connections again.
            for (int i = 0; i < 3; i++) {
                Socket s = connect(port);
                served.add(s);
                assertEchoed(s, message);
            }
            long warnings = child.countLines(EXHAUSTED);
            for (Socket s : served) {
                s.close();
            }
            served.clear();
            int exit = child.finish();
            String idle = child.firstLine(l -> l.startsWith("IDLE") || l.startsWith("LEAK"));
            new Report("fd-exhaustion")
                    .add("descriptor limit", started[3] + " (headroom " + HEADROOM + ")")
                    .add("connections at exhaustion", servedAtExhaustion)
                    .add("EMFILE warnings logged", warnings)
                    .add("child CPU while exhausted", cpuWhileExhausted.toMillis() + " ms in " + BACKOFF_WINDOW.toMillis() + " ms")
                    .add("child at the end", idle)
                    .publish();
            assertNotNull(idle, () -> "the child did not report; output:\n" + child.output());
            assertTrue(idle.startsWith("IDLE"), idle);
            assertEquals(0, exit, () -> "child output:\n" + child.output());
            assertTrue(warnings >= 1, "the exhaustion was reported");
            assertTrue(cpuWhileExhausted.compareTo(BACKOFF_WINDOW.dividedBy(2)) < 0,
                    "the child used " + cpuWhileExhausted + " of CPU in " + BACKOFF_WINDOW + " with no descriptors: it spins");
        } finally {
            for (Socket s : served) {
                s.close();
            }
            if (waiting != null) {
                waiting.close();
            }
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(HANG_GUARD_MILLIS);
        return s;
    }

    /**
     * Waits until {@code s} echoes its byte (true) or the child reports that accept ran out of
     * descriptors (false). One connection is opened at a time, so a report now concerns this one.
     */
    private static boolean echoedBeforeExhaustion(Socket s, ChildJvm child, int expected) throws IOException {
        InputStream in = s.getInputStream();
        long deadline = System.nanoTime() + HANG_GUARD_MILLIS * 1_000_000L;
        while (System.nanoTime() - deadline < 0) {
            if (in.available() > 0) {
                assertEquals(expected & 0xff, in.read());
                return true;
            }
            if (child.firstLine(EXHAUSTED) != null) {
                return false;
            }
            Thread.onSpinWait();
            Thread.yield();
        }
        throw new AssertionError("neither an echo nor an exhaustion report; child output:\n" + child.output());
    }

    private static void assertEchoed(Socket s, byte[] message) throws IOException {
        s.getOutputStream().write(message);
        byte[] back = s.getInputStream().readNBytes(message.length);
        assertTrue(Arrays.equals(message, back), "echo differs");
    }
}
