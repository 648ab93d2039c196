package dev.fiberio.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.epoll.EpollNetProvider;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.net.FiberServerSocket;
import dev.fiberio.net.FiberSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A descriptor number reused after close never receives the old socket's events, at the socket level.
 * The old connection's open file is kept alive by a {@code dup} (as a process forked between fork and
 * exec would), so its epoll registration outlives the close and keeps reporting under the old token
 * while the number already belongs to a new connection. The poller must drop those events as stale,
 * and the new connection's reader must see exactly its own data.
 */
@Tag("reliability")
class FdReuseTest {
    private static final long HANG_GUARD_SECONDS = 30;

    @Test
    void eventsOfAClosedSocketNeverReachTheSocketThatReusedItsNumber() throws Exception {
        Baseline baseline = Baseline.take();
        FiberScheduler s = TestSchedulers.create(1);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (FiberServerSocket listener = FiberServerSocket.open().bind(new InetSocketAddress(loopback, 0))) {
            int port = listener.localAddress().getPort();
            Socket oldPeer = new Socket(loopback, port); // closed with a reset below
            FiberSocket old = listener.accept();
            int number = fdOf(port, oldPeer.getLocalPort());
            int keeper = ProcessCalls.dup(number); // the old open file lives on, and so does its registration
            assertTrue(keeper >= 0, "dup");
            try (Socket newPeer = new Socket(loopback, port)) { // its own descriptor is taken before the number is freed
                old.close();
                try (FiberSocket reused = listener.accept()) {
                    assertEquals(number, fdOf(port, newPeer.getLocalPort()), "the new connection got the old number");
                    CompletableFuture<String> read = new CompletableFuture<>();
                    s.spawn(() -> {
                        try {
                            byte[] b = new byte[64];
                            int n = reused.read(b, 0, b.length);
                            read.complete(n < 0 ? "end of stream" : new String(b, 0, n, StandardCharsets.US_ASCII));
                        } catch (IOException e) {
                            read.complete(e.toString());
                        }
                    });
                    long staleBefore = EpollNetProvider.staleEventsDropped();
                    // Traffic on the OLD connection: data, then a reset. Its events carry the old token.
                    oldPeer.getOutputStream().write(new byte[100]);
                    oldPeer.setSoLinger(true, 0);
                    oldPeer.close();
                    TestSchedulers.awaitCondition("the poller dropped the old connection's events",
                            () -> EpollNetProvider.staleEventsDropped() > staleBefore);
                    assertFalse(read.isDone(), () -> "the new connection's reader returned on old events: " + read.join());
                    newPeer.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                    assertEquals("hello", read.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS));
                    new Report("fd-reuse").add("reused descriptor", number)
                            .add("stale events dropped", EpollNetProvider.staleEventsDropped() - staleBefore).publish();
                }
            } finally {
                LibC.close(keeper);
                oldPeer.close();
            }
        } finally {
            TestSchedulers.closeChecked(s);
        }
        baseline.assertRestored();
    }

    /** The descriptor number of this process's loopback TCP connection from {@code localPort} to {@code remotePort}. */
    private static int fdOf(int localPort, int remotePort) throws IOException {
        String local = String.format(Locale.ROOT, ":%04X", localPort);
        String remote = String.format(Locale.ROOT, ":%04X", remotePort);
        String inode = Files.readAllLines(Path.of("/proc/net/tcp")).stream().skip(1)
                .map(l -> l.trim().split("\\s+"))
                .filter(f -> f[1].endsWith(local) && f[2].endsWith(remote))
                .map(f -> f[9]).findFirst()
                .orElseThrow(() -> new AssertionError("no connection " + localPort + " -> " + remotePort));
        String target = "socket:[" + inode + "]";
        return ProcessFds.snapshot().entrySet().stream().filter(e -> e.getValue().equals(target))
                .map(java.util.Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new AssertionError("no descriptor for " + target));
    }
}
