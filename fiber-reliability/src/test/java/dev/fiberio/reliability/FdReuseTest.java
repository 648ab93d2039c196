package dev.fiberio.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.FiberState;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.net.FiberServerSocket;
import dev.fiberio.net.FiberSocket;
import dev.fiberio.net.spi.SocketErrors;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A descriptor number reused after close never receives the old socket's events or completions, at the
 * socket level. The old connection's open file is kept alive by a {@code dup} (as a process forked
 * between fork and exec would), so it outlives the close while the number already belongs to a new
 * connection. A reader blocked on the old socket when it closes must end with "Socket closed". On
 * epoll the old registration keeps reporting under the old token: the poller must drop those events as
 * stale. On io_uring the old socket's receive stays in flight on the open file until the close cancels
 * it: its record must be given back. Either way the new connection's reader must see exactly its own
 * data.
 */
@Tag("reliability")
@OnSelectedBackend
class FdReuseTest {
    private static final long HANG_GUARD_SECONDS = 30;

    @Test
    void eventsOfAClosedSocketNeverReachTheSocketThatReusedItsNumber() throws Exception {
        Baseline baseline = Baseline.take();
        Backend backend = baseline.backend();
        FiberScheduler s = TestSchedulers.create(1);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (FiberServerSocket listener = FiberServerSocket.open().bind(new InetSocketAddress(loopback, 0))) {
            int port = listener.localAddress().getPort();
            Socket oldPeer = new Socket(loopback, port); // closed with a reset below
            FiberSocket old = listener.accept();
            int number = fdOf(port, oldPeer.getLocalPort());
            int keeper = ProcessCalls.dup(number); // the old open file lives on, and so does its registration
            assertTrue(keeper >= 0, "dup");
            long recordsWithOld = backend.liveRecords();
            CompletableFuture<String> oldRead = new CompletableFuture<>();
            Fiber oldReader = readInFiber(s, old, oldRead);
            TestSchedulers.awaitCondition("the old socket's reader is blocked", () -> oldReader.state() == FiberState.SUSPENDED);
            try (SocketChannel newChannel = SocketChannel.open()) { // its own descriptor is taken before the number is freed
                Socket newPeer = newChannel.socket();
                old.close();
                assertEquals("java.net.SocketException: " + SocketErrors.SOCKET_CLOSED, oldRead.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS),
                        "the old socket's blocked reader");
                // Connected only now: a listener whose accept stays armed in the kernel (io_uring's multishot
                // accept) takes the connection when it arrives, and the lowest free number is the old one.
                newChannel.connect(new InetSocketAddress(loopback, port));
                try (FiberSocket reused = listener.accept()) {
                    assertEquals(number, fdOf(port, newPeer.getLocalPort()), "the new connection got the old number");
                    // The old socket's records (its receive, cancelled although the dup keeps the file open)
                    // are given back; the new one has as many.
                    TestSchedulers.awaitCondition("the old socket's operation records given back",
                            () -> backend.liveRecords() == recordsWithOld);
                    CompletableFuture<String> read = new CompletableFuture<>();
                    Fiber reader = readInFiber(s, reused, read);
                    TestSchedulers.awaitCondition("the new socket's reader is blocked", () -> reader.state() == FiberState.SUSPENDED);
                    long staleBefore = backend.staleDropped();
                    // Traffic on the OLD connection: data, then a reset. On epoll its events carry the old token.
                    oldPeer.getOutputStream().write(new byte[100]);
                    oldPeer.setSoLinger(true, 0);
                    oldPeer.close();
                    if (backend.closedSocketKeepsReporting()) {
                        TestSchedulers.awaitCondition("the poller dropped the old connection's events",
                                () -> backend.staleDropped() > staleBefore);
                    }
                    assertFalse(read.isDone(), () -> "the new connection's reader returned on old events: " + read.join());
                    newPeer.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                    assertEquals("hello", read.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS));
                    new Report("fd-reuse").add("reused descriptor", number)
                            .add(backend.staleWhat(), backend.staleDropped() - staleBefore)
                            .add(backend.name() + " records with the old / the new socket", recordsWithOld + " / " + backend.liveRecords())
                            .publish();
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

    /** Reads up to 64 bytes from {@code socket} in a fiber; {@code read} gets the text, "end of stream", or the exception. */
    private static Fiber readInFiber(FiberScheduler s, FiberSocket socket, CompletableFuture<String> read) {
        return s.spawn(() -> {
            try {
                byte[] b = new byte[64];
                int n = socket.read(b, 0, b.length);
                read.complete(n < 0 ? "end of stream" : new String(b, 0, n, StandardCharsets.US_ASCII));
            } catch (IOException e) {
                read.complete(e.toString());
            }
        });
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
