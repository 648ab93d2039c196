package dev.fiberio.net.nio;

import dev.fiberio.net.spi.SocketErrors;
import java.io.IOException;
import java.net.SocketException;

/**
 * Maps the exceptions of JDK channels to those the SPI promises. The JDK reports errno only as text
 * (the C library's {@code strerror}), so the mapping is by message.
 */
final class NioErrors {
    private NioErrors() {
    }

    /**
     * ECONNRESET ("Connection reset", "Connection reset by peer") becomes
     * {@link SocketErrors#connectionReset()}, EPIPE ("Broken pipe") {@link SocketErrors#brokenPipe()},
     * another plain {@link IOException} a {@link SocketException} with the same message; a
     * {@link SocketException} (ConnectException, BindException...) passes unchanged.
     *
     * @param e the channel's exception
     * @return the exception to throw, with {@code e} as its cause when it is a new one
     */
    static IOException translate(IOException e) {
        String msg = String.valueOf(e.getMessage());
        SocketException mapped;
        if (msg.startsWith(SocketErrors.CONNECTION_RESET)) {
            mapped = SocketErrors.connectionReset();
        } else if (msg.startsWith(SocketErrors.BROKEN_PIPE)) {
            mapped = SocketErrors.brokenPipe();
        } else if (e instanceof SocketException) {
            return e;
        } else {
            mapped = new SocketException(msg);
        }
        mapped.initCause(e);
        return mapped;
    }

    /**
     * Whether {@code e} reports file-descriptor exhaustion (EMFILE or ENFILE).
     *
     * @param e an exception of accept
     * @return true for "Too many open files" (in system)
     */
    static boolean isFdExhaustion(IOException e) {
        return e.getMessage() != null && e.getMessage().startsWith("Too many open files");
    }
}
