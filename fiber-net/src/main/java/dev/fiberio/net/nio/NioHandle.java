package dev.fiberio.net.nio;

import dev.fiberio.net.spi.NetHandle;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.SocketOption;
import java.nio.channels.Channel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.util.Set;

/**
 * What the NIO socket and server-socket handles share: the channel, its registration, options, the
 * local address and closing.
 *
 * <p>The channel (its file descriptor) is owned by the handle from construction on and released by
 * {@link #close()}, or by the poller's shutdown if the handle is never closed.
 *
 * @param <C> the channel type
 */
abstract sealed class NioHandle<C extends SelectableChannel & NetworkChannel> implements NetHandle
        permits NioSocketHandle, NioServerSocketHandle, NioDatagramHandle {
    /** The channel; non-blocking, registered with {@link #reg}. */
    final C channel;
    /** The channel's registration: wait slots and closed state. */
    final NioRegistration reg;

    NioHandle(C channel, NioPoller poller) throws IOException {
        OutOfLine.call(() -> channel.configureBlocking(false)); // takes the channel's locks: see OutOfLine
        this.channel = channel;
        this.reg = poller.register(channel);
    }

    /** Creates a handle; may fail. */
    @FunctionalInterface
    interface HandleFactory<H> {
        H create() throws IOException;
    }

    /**
     * Builds a handle around {@code channel}, which nobody owns yet: if that fails, the channel is
     * closed here, else the handle owns it.
     */
    static <H> H adopt(Channel channel, HandleFactory<H> factory) throws IOException {
        try {
            return factory.create();
        } catch (IOException | RuntimeException | Error e) {
            try {
                OutOfLine.call(() -> {
                    channel.close();
                    return null;
                });
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** A channel call that may throw. */
    @FunctionalInterface
    interface ChannelCall<T> {
        T call() throws IOException;
    }

    /**
     * Runs a channel call on the open channel, in a compiled frame of its own ({@link OutOfLine}: the
     * JDK's channel locks must never be inlined into a frame that spans a suspension), translating its
     * exceptions (see {@link NioRegistration#translate}).
     *
     * @throws java.net.SocketException "Socket closed" if closed before or during the call
     */
    final <T> T call(ChannelCall<T> call) throws IOException {
        reg.ensureOpen();
        try {
            return OutOfLine.call(call);
        } catch (IOException e) {
            throw reg.translate(e);
        }
    }

    @Override
    public final <T> void setOption(SocketOption<T> option, T value) throws IOException {
        call(() -> channel.setOption(option, value));
    }

    @Override
    public final <T> T getOption(SocketOption<T> option) throws IOException {
        return call(() -> channel.getOption(option));
    }

    @Override
    public final Set<SocketOption<?>> supportedOptions() {
        return channel.supportedOptions();
    }

    @Override
    public SocketAddress localAddress() throws IOException {
        SocketAddress a = call(channel::getLocalAddress);
        // An unnamed AF_UNIX socket has no bound name: null, as for an unbound Internet socket.
        return a instanceof UnixDomainSocketAddress u && u.getPath().toString().isEmpty() ? null : a;
    }

    @Override
    public final boolean isOpen() {
        return reg.isOpen();
    }

    @Override
    public final void close() throws IOException {
        reg.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + channel + "]";
    }
}
