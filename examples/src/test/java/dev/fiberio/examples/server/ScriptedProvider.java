package dev.fiberio.examples.server;

import dev.fiberio.net.spi.NetProvider;
import dev.fiberio.net.spi.ServerSocketHandle;
import dev.fiberio.net.spi.SocketHandle;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A {@link NetProvider} without I/O whose listening socket's accept does what the test says: throw,
 * or hand out in-memory connections that remember whether they were closed.
 */
final class ScriptedProvider implements NetProvider {
    /** What each accept does; returns a connection or throws. */
    @FunctionalInterface
    interface AcceptScript {
        SocketHandle accept() throws IOException;
    }

    /** {@link System#nanoTime()} of every accept call, in order. */
    final List<Long> acceptCalls = new CopyOnWriteArrayList<>();
    private final AcceptScript script;

    ScriptedProvider(AcceptScript script) {
        this.script = script;
    }

    /** A script that always fails. */
    static AcceptScript failing() {
        return () -> {
            throw new IOException("scripted accept failure");
        };
    }

    /** A script that hands out the given connections. */
    static AcceptScript handing(Supplier<SocketHandle> connections) {
        return connections::get;
    }

    @Override
    public String name() {
        return "scripted";
    }

    @Override
    public int priority() {
        return -1;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Throwable unavailabilityCause() {
        return null;
    }

    @Override
    public SocketHandle openSocket(ProtocolFamily family) {
        return new Connection();
    }

    @Override
    public ServerSocketHandle openServerSocket(ProtocolFamily family) {
        return new Listener();
    }

    /** Option, address and close plumbing shared by both handle kinds. */
    private abstract static class Handle {
        volatile boolean closed;
        volatile InetSocketAddress local;

        public <T> void setOption(SocketOption<T> option, T value) {
        }

        public <T> T getOption(SocketOption<T> option) {
            throw new UnsupportedOperationException();
        }

        public Set<SocketOption<?>> supportedOptions() {
            return Set.of();
        }

        public InetSocketAddress localAddress() {
            return local;
        }

        public boolean isOpen() {
            return !closed;
        }

        public void close() {
            closed = true;
        }
    }

    private final class Listener extends Handle implements ServerSocketHandle {
        @Override
        public void bind(SocketAddress address, int backlog) {
            local = (InetSocketAddress) address;
        }

        @Override
        public SocketHandle accept(long deadline) throws IOException {
            acceptCalls.add(System.nanoTime());
            return script.accept();
        }
    }

    /** An in-memory connection: reads see end of stream, writes vanish. */
    static final class Connection extends Handle implements SocketHandle {
        @Override
        public void bind(SocketAddress address) {
            local = (InetSocketAddress) address;
        }

        @Override
        public void connect(SocketAddress remote, long deadline) {
        }

        @Override
        public int read(MemorySegment dst, long deadline) {
            return -1;
        }

        @Override
        public int write(MemorySegment src, long deadline) {
            return (int) src.byteSize();
        }

        @Override
        public void shutdownInput() {
        }

        @Override
        public void shutdownOutput() {
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return null;
        }

        boolean isClosed() {
            return closed;
        }
    }
}
