package dev.fiberio.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.net.FiberServerSocket;
import dev.fiberio.net.FiberSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A peer that never reads, at the socket level, on a scheduler with ONE worker: a writer blocked on it
 * holds no thread, so a ping-pong on another connection runs to the end meanwhile; a write timeout
 * fires with the count of bytes that did go out, and the socket stays usable with no byte lost.
 */
@Tag("reliability")
@OnSelectedBackend
class NeverReadingPeerTest {
    private static final long HANG_GUARD_SECONDS = 30;

    @Test
    void aBlockedWriterStallsNothingAndItsTimeoutLeavesTheStreamIntact() throws Exception {
        FiberScheduler s = TestSchedulers.create(1);
        try (FiberServerSocket listener = FiberServerSocket.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress address = listener.localAddress();
            FiberSocket stuck = smallBuffers(FiberSocket.open());
            try (FiberSocket timed = smallBuffers(FiberSocket.open())) {
                stuck.connect(address);
                FiberSocket stuckPeer = listener.accept();
                timed.connect(address);
                FiberSocket timedPeer = listener.accept();
                byte[] big = pattern(8 << 20);
                // 1. A writer with no timeout blocks on a peer that never reads...
                CompletableFuture<String> stuckWriter = new CompletableFuture<>();
                s.spawn(() -> {
                    try {
                        stuck.write(big, 0, big.length);
                        stuckWriter.complete("finished");
                    } catch (IOException e) {
                        stuckWriter.complete(e.getMessage());
                    }
                });
                // ...and a ping-pong on the same single worker runs to the end meanwhile.
                assertEquals(1000, pingPong(s, listener, address, 1000));
                assertFalse(stuckWriter.isDone(), "the peer never read 8 MiB, so the writer is still blocked");
                // 2. A writer with a timeout gets it, with the count of bytes that went out.
                timed.setWriteTimeout(Duration.ofMillis(300));
                CompletableFuture<Integer> transferred = new CompletableFuture<>();
                s.spawn(() -> {
                    try {
                        timed.write(big, 0, big.length);
                        transferred.completeExceptionally(new AssertionError("8 MiB fit into the socket buffers"));
                    } catch (SocketTimeoutException e) {
                        transferred.complete(e.bytesTransferred);
                    } catch (IOException e) {
                        transferred.completeExceptionally(e);
                    }
                });
                int sent = transferred.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
                assertTrue(sent > 0 && sent < big.length, "bytes transferred before the timeout: " + sent);
                // 3. The socket is still usable: the rest goes out once the peer reads, and no byte is lost.
                byte[] marker = "END".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                CompletableFuture<byte[]> received = new CompletableFuture<>();
                s.spawn(() -> {
                    try {
                        byte[] all = new byte[sent + marker.length];
                        timedPeer.readFully(all, 0, all.length);
                        received.complete(all);
                    } catch (IOException e) {
                        received.completeExceptionally(e);
                    }
                });
                timed.setWriteTimeout(Duration.ZERO);
                TestSchedulers.inFiber(s, () -> {
                    timed.write(marker);
                    return null;
                });
                byte[] all = received.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
                assertArrayEquals(Arrays.copyOf(big, sent), Arrays.copyOf(all, sent), "the bytes before the timeout");
                assertArrayEquals(marker, Arrays.copyOfRange(all, sent, all.length), "the bytes written after it");
                // 4. Closing the stuck socket ends its writer.
                stuck.close();
                assertEquals("Socket closed", stuckWriter.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS));
                stuckPeer.close();
                timedPeer.close();
                new Report("never-reading-peer").add("bytes out before the write timeout", sent)
                        .add("ping-pong round trips while a writer was blocked", 1000).publish();
            } finally {
                stuck.close();
            }
        } finally {
            TestSchedulers.closeChecked(s);
        }
    }

    /** Small kernel buffers, so a peer that does not read blocks the writer soon. */
    private static FiberSocket smallBuffers(FiberSocket socket) throws IOException {
        socket.setOption(StandardSocketOptions.SO_SNDBUF, 8192);
        socket.setOption(StandardSocketOptions.SO_RCVBUF, 8192);
        return socket;
    }

    private static byte[] pattern(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + (i >>> 8));
        }
        return b;
    }

    /** {@code rounds} one-byte round trips between two fibers over a new connection. */
    private static int pingPong(FiberScheduler s, FiberServerSocket listener, InetSocketAddress address, int rounds) throws Exception {
        return TestSchedulers.inFiber(s, () -> {
            try (FiberSocket a = FiberSocket.open()) {
                a.connect(address);
                FiberSocket b = listener.accept();
                CompletableFuture<String> echo = new CompletableFuture<>();
                s.spawn(() -> {
                    try (b) {
                        byte[] one = new byte[1];
                        while (b.read(one, 0, 1) > 0) {
                            b.write(one, 0, 1);
                        }
                        echo.complete("end of stream");
                    } catch (IOException e) {
                        echo.complete(e.toString());
                    }
                });
                byte[] one = new byte[1];
                int done = 0;
                for (int i = 0; i < rounds; i++) {
                    a.write(new byte[] {(byte) i});
                    a.readFully(one, 0, 1);
                    if (one[0] == (byte) i) {
                        done++;
                    }
                }
                a.shutdownOutput();
                assertEquals("end of stream", Fiber.await(echo)); // suspends: the echo fiber needs the one worker
                return done;
            }
        });
    }
}
