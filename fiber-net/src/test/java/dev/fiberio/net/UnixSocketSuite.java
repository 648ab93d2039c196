package dev.fiberio.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The socket suite over Unix domain sockets ({@code AF_UNIX} stream sockets): every test of
 * {@link SocketSuite} whose semantics are the same (echo, half-close, timeouts, close and cancellation
 * waking blocked callers, plain threads, streams...) runs on socket files in a fresh temporary
 * directory; the Internet-only ones abort with the reason. Added here: what only Unix domain sockets
 * have, each compared with the JDK's own {@link SocketChannel}/{@link ServerSocketChannel} on this JDK.
 */
public abstract class UnixSocketSuite extends SocketSuite {
    private final Path dir;
    private final AtomicInteger names = new AtomicInteger();

    /** Creates the directory of the socket files (deleted after the class). */
    protected UnixSocketSuite() {
        try {
            dir = Files.createTempDirectory("fiberio-uds");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected boolean unixDomain() {
        return true;
    }

    @Override
    protected SocketAddress listenAddress() {
        return UnixDomainSocketAddress.of(dir.resolve("s" + names.incrementAndGet()));
    }

    @AfterAll
    void deleteSocketFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * The JDK leaves the socket file of a closed listener in place (the application deletes it), so
     * binding the path again fails until it is deleted; fiberio does the same.
     */
    @Test
    void theSocketFileStaysAfterCloseAsWithTheJdk() throws Exception {
        UnixDomainSocketAddress jdkPath = (UnixDomainSocketAddress) listenAddress();
        List<String> expected;
        try (ServerSocketChannel first = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            first.bind(jdkPath);
            first.close();
            boolean exists = Files.exists(jdkPath.getPath());
            String rebind = SocketSuite.outcome(() -> {
                try (ServerSocketChannel again = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                    return again.bind(jdkPath).getLocalAddress();
                }
            });
            expected = List.of("exists " + exists, rebind);
        }
        assertEquals(List.of("exists true", "BindException: Address already in use"), expected, "the JDK's behaviour changed");
        UnixDomainSocketAddress path = (UnixDomainSocketAddress) listenAddress();
        List<String> got = inFiber(() -> {
            FiberServerSocket first = FiberServerSocket.open(net).bind(path);
            assertEquals(path, first.localSocketAddress());
            first.close();
            boolean exists = Files.exists(path.getPath());
            String rebind = SocketSuite.outcome(() -> {
                try (FiberServerSocket again = FiberServerSocket.open(net)) {
                    return again.bind(path).localSocketAddress();
                }
            });
            return List.of("exists " + exists, rebind.split(" \\(")[0]);
        });
        assertEquals(expected, got);
        Files.delete(path.getPath());
        try (FiberServerSocket again = FiberServerSocket.open(net).bind(path)) {
            assertTrue(again.isOpen(), "bound again once the file is gone");
        }
    }

    @Test
    void connectingToAMissingPathOrAClosedListenerSaysWhatTheJdkSays() throws Exception {
        UnixDomainSocketAddress missing = (UnixDomainSocketAddress) listenAddress();
        UnixDomainSocketAddress stale = (UnixDomainSocketAddress) listenAddress();
        try (ServerSocketChannel l = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            l.bind(stale);
        }
        List<String> expected = List.of(
                SocketSuite.outcome(() -> {
                    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                        return c.connect(missing);
                    }
                }),
                SocketSuite.outcome(() -> {
                    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                        return c.connect(stale);
                    }
                }));
        List<String> got = inFiber(() -> List.of(
                SocketSuite.outcome(run(() -> FiberSocket.open(net).connect(missing))),
                SocketSuite.outcome(run(() -> FiberSocket.open(net).connect(stale)))));
        assertEquals(expected.stream().map(s -> s.replace("returned null", "returned")).toList(),
                got.stream().map(s -> s.replace("returned null", "returned")).toList());
    }

    @Test
    void aPathTooLongIsRefusedAsByTheJdk() throws Exception {
        UnixDomainSocketAddress tooLong = UnixDomainSocketAddress.of(dir.resolve("x".repeat(200)));
        String expected = SocketSuite.outcome(() -> {
            try (ServerSocketChannel l = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                return l.bind(tooLong);
            }
        });
        String got = inFiber(() -> SocketSuite.outcome(() -> {
            try (FiberServerSocket l = FiberServerSocket.open(net)) {
                return l.bind(tooLong);
            }
        }));
        assertEquals(expected.split(":")[0], got.split(":")[0], got);
    }

    @Test
    void internetAddressMethodsPointToTheGeneralOnes() throws Exception {
        try (Conn c = inFiber(this::pair)) {
            UnsupportedOperationException e = org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
                    () -> c.client().remoteAddress());
            assertTrue(e.getMessage().contains("remoteSocketAddress()"), e.getMessage());
            assertEquals(UnixDomainSocketAddress.of(""), c.client().localSocketAddress(), "an unbound client is unnamed, as with the JDK");
        }
    }
}
