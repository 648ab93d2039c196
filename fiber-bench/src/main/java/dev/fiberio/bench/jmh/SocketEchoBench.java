package dev.fiberio.bench.jmh;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.net.FiberServerSocket;
import dev.fiberio.net.FiberSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One 64-byte echo round trip through {@link FiberSocket} on loopback: the benchmark thread (a plain
 * thread) writes 64 bytes and reads them back; a fiber on a one-worker scheduler echoes them. Four
 * socket calls per operation (client write, server read, server write, client read), all of the
 * {@link #kind} under test. Made for {@code -prof gc}: its {@code gc.alloc.rate.norm} is the
 * allocation per round trip, which should be 0 in steady state.
 *
 * <ul>
 *   <li>{@code array}: {@code read(byte[], 0, len)} / {@code write(byte[], 0, n)}</li>
 *   <li>{@code arrayOffset}: the same at offset 7 of a larger array</li>
 *   <li>{@code heapBuffer} / {@code directBuffer}: {@code read(ByteBuffer)} / {@code write(ByteBuffer)}</li>
 * </ul>
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {BenchFlags.ADD_EXPORTS, BenchFlags.NATIVE_ACCESS, BenchFlags.HEAP_MIN,
        BenchFlags.HEAP_MAX})
public class SocketEchoBench {
    private static final int SIZE = 64;
    private static final int OFFSET = 7;

    /** How the bytes are passed to the socket. */
    @Param({"array", "arrayOffset", "heapBuffer", "directBuffer"})
    public String kind;

    private FiberScheduler scheduler;
    private FiberServerSocket server;
    private FiberSocket client;
    private Fiber echo;
    private byte[] clientArray;
    private ByteBuffer clientBuffer;

    /**
     * Starts the echo fiber and connects.
     *
     * @throws IOException if the loopback connection fails
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        scheduler = FiberScheduler.builder().name("echo-bench").workers(1).build();
        server = FiberServerSocket.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        String k = kind;
        echo = scheduler.spawn(() -> {
            try (FiberSocket s = server.accept()) {
                s.setOption(StandardSocketOptions.TCP_NODELAY, true);
                serve(s, k);
            } catch (IOException e) {
                if (server.isOpen()) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        client = FiberSocket.open();
        client.setOption(StandardSocketOptions.TCP_NODELAY, true);
        client.connect(server.localAddress());
        clientArray = new byte[SIZE + 2 * OFFSET];
        clientBuffer = kind.equals("directBuffer") ? ByteBuffer.allocateDirect(SIZE) : ByteBuffer.allocate(SIZE);
    }

    private static void serve(FiberSocket s, String kind) throws IOException {
        switch (kind) {
            case "array" -> {
                byte[] b = new byte[16 * 1024];
                for (int n; (n = s.read(b, 0, b.length)) > 0; ) {
                    s.write(b, 0, n);
                }
            }
            case "arrayOffset" -> {
                byte[] b = new byte[16 * 1024 + OFFSET];
                for (int n; (n = s.read(b, OFFSET, b.length - OFFSET)) > 0; ) {
                    s.write(b, OFFSET, n);
                }
            }
            default -> {
                ByteBuffer b = kind.equals("directBuffer") ? ByteBuffer.allocateDirect(16 * 1024) : ByteBuffer.allocate(16 * 1024);
                while (s.read(b.clear()) > 0) {
                    s.write(b.flip());
                }
            }
        }
    }

    /**
     * Closes everything.
     *
     * @throws IOException never in practice
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        client.close();
        server.close();
        echo.join();
        scheduler.close();
    }

    /**
     * Writes 64 bytes and reads the 64 echoed bytes.
     *
     * @return the last byte read
     * @throws IOException if the connection fails
     */
    @Benchmark
    public int roundTrip() throws IOException {
        switch (kind) {
            case "array" -> {
                client.write(clientArray, 0, SIZE);
                client.readFully(clientArray, 0, SIZE);
                return clientArray[SIZE - 1];
            }
            case "arrayOffset" -> {
                client.write(clientArray, OFFSET, SIZE);
                client.readFully(clientArray, OFFSET, SIZE);
                return clientArray[OFFSET + SIZE - 1];
            }
            default -> {
                client.write(clientBuffer.clear());
                client.readFully(clientBuffer.clear());
                return clientBuffer.get(SIZE - 1);
            }
        }
    }
}
