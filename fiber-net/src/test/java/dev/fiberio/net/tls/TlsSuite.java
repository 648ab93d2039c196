package dev.fiberio.net.tls;

import static dev.fiberio.net.tls.TestCertificates.CLIENT;
import static dev.fiberio.net.tls.TestCertificates.SERVER;
import static dev.fiberio.net.tls.TestCertificates.STRANGER;
import static dev.fiberio.net.tls.TestCertificates.context;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.FiberState;
import dev.fiberio.core.DumpFibersOnFailure;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.net.FdCount;
import dev.fiberio.net.FiberServerSocket;
import dev.fiberio.net.FiberSocket;
import dev.fiberio.net.spi.NetProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLProtocolException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TLS test suite every backend runs: a backend's test extends this class and returns its provider.
 * The other end is either another {@link FiberTlsSocket} or the JDK's own {@link SSLSocket} /
 * {@link SSLServerSocket} on plain threads. Certificates come from {@link TestCertificates}. After each
 * test: no descriptor leaked and the scheduler reports no invariant violation. Timeouts are asserted by
 * their exception and a lower bound on the elapsed time; no test orders threads by sleeping.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class TlsSuite {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration SHORT = Duration.ofMillis(200);
    private static final int BIG = 16 << 20;
    /** Trusts CLIENT, so that client authentication can succeed. */
    private static final SSLContext SERVER_CONTEXT = context(SERVER, CLIENT);
    private static final SSLContext STRANGER_SERVER_CONTEXT = context(STRANGER, CLIENT);

    private FiberScheduler scheduler;

    /** Prints this test's fibers if it fails or times out. */

    @RegisterExtension

    final DumpFibersOnFailure fiberDump = new DumpFibersOnFailure(() -> scheduler);
    private NetProvider net;
    private int fdsBefore;

    /**
     * The backend under test.
     *
     * @return its provider
     */
    protected abstract NetProvider provider();

    /** One handshake of each kind first, so that descriptors the JDK keeps for its life are not counted. */
    @BeforeAll
    void warmUp() throws Exception {
        net = provider();
        scheduler = TestSchedulers.create(2);
        try (SSLServerSocket jdk = jdkServer(SERVER_CONTEXT, null)) {
            CompletableFuture<Integer> peer = thread(() -> {
                try (Socket s = jdk.accept()) {
                    s.getOutputStream().write(7);
                    return s.getInputStream().read();
                }
            });
            try (FiberTlsSocket tls = connect(jdk.getLocalPort(), context(null, SERVER), null)) {
                assertEquals(7, tls.getInputStream().read());
                tls.write(new byte[] {8});
            }
            assertEquals(8, await(peer));
            inFiber(() -> {
                try (Pair p = pair(context(CLIENT, SERVER), null, null)) {
                    exchangeHello(p);
                }
                return null;
            });
        } finally {
            TestSchedulers.closeChecked(scheduler);
        }
        try (ServerSocket probe = new ServerSocket(0)) {
            probe.getLocalPort();
        }
    }

    @BeforeEach
    void setUp() {
        net = provider();
        fdsBefore = FdCount.count();
        scheduler = TestSchedulers.create(4);
    }

    @AfterEach
    void tearDown() {
        TestSchedulers.closeChecked(scheduler);
        FdCount.assertNoLeak(fdsBefore);
    }

    // ------------------------------------------------------------------------------------------
    // Fiber to fiber
    // ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void handshakesExplicitlyOnOneSideAndImplicitlyOnTheOther(String protocol) throws Exception {
        inFiber(() -> {
            try (Pair p = pair(context(null, SERVER), protocols(protocol), null)) {
                CompletableFuture<String> server = fiber(() -> {
                    byte[] buf = new byte[100];
                    int n = p.server().read(buf, 0, buf.length); // implicit handshake
                    p.server().write(("re: " + new String(buf, 0, n, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII));
                    return p.server().getSession().getProtocol();
                });
                p.client().startHandshake();
                assertEquals(protocol, p.client().getSession().getProtocol());
                p.client().write("hello".getBytes(StandardCharsets.US_ASCII));
                assertEquals("re: hello", new String(readN(p.client(), 9), StandardCharsets.US_ASCII));
                assertEquals(protocol, await(server));
                assertTrue(p.client().isClientMode());
                assertFalse(p.server().isClientMode());
            }
            return null;
        });
    }

    @Test
    void closeSendsCloseNotifyAndThePeerReadsEndOfStream() throws Exception {
        inFiber(() -> {
            try (Pair p = pair(context(null, SERVER), null, null)) {
                p.server().setRequireCloseNotify(true); // -1 only if close_notify really came
                exchangeHello(p);
                p.client().close();
                assertEquals(-1, p.server().read(new byte[10], 0, 10));
                assertEquals(-1, p.server().read(new byte[10], 0, 10), "end of stream stays");
            }
            return null;
        });
    }

    @Test
    void largeTransfersBothWaysAtOnceBetweenFibers() throws Exception {
        inFiber(() -> {
            try (Pair p = pair(context(null, SERVER), null, null)) {
                CompletableFuture<byte[]> serverSends = fiber(() -> sendPattern(p.server().getOutputStream(), BIG, 1));
                CompletableFuture<byte[]> serverReads = fiber(() -> digestOf(p.server(), BIG));
                CompletableFuture<byte[]> clientSends = fiber(() -> sendPattern(p.client().getOutputStream(), BIG, 2));
                byte[] clientReceived = digestOf(p.client(), BIG);
                assertArrayEquals(await(serverSends), clientReceived, "server → client");
                assertArrayEquals(await(clientSends), await(serverReads), "client → server");
            }
            return null;
        });
    }

    @Test
    void closeFromAnotherFiberWakesABlockedRead() throws Exception {
        inFiber(() -> {
            try (Pair p = pair(context(null, SERVER), null, null)) {
                exchangeHello(p);
                CompletableFuture<Throwable> blocked = new CompletableFuture<>();
                Fiber reader = scheduler.spawn(() -> {
                    try {
                        p.client().read(new byte[10], 0, 10);
                        blocked.complete(null);
                    } catch (Throwable t) {
                        blocked.complete(t);
                    }
                });
                awaitSuspendedFromFiber(reader);
                p.client().close();
                SocketException e = assertInstanceOf(SocketException.class, await(blocked));
                assertEquals("Socket closed", e.getMessage());
                assertFalse(p.client().isOpen());
            }
            return null;
        });
    }

    @Test
    void everyCallAfterCloseThrowsSocketClosed() throws Exception {
        inFiber(() -> {
            try (Pair p = pair(context(null, SERVER), null, null)) {
                exchangeHello(p);
                p.client().close();
                p.client().close(); // idempotent
                assertEquals("Socket closed", assertThrows(SocketException.class, () -> p.client().read(new byte[1], 0, 1)).getMessage());
                assertEquals("Socket closed", assertThrows(SocketException.class, () -> p.client().write(new byte[1])).getMessage());
                assertEquals("Socket closed", assertThrows(SocketException.class, () -> p.client().startHandshake()).getMessage());
                assertEquals("Socket closed", assertThrows(SocketException.class, () -> p.client().getInputStream().read()).getMessage());
            }
            return null;
        });
    }

    @Test
    void untrustedServerCertificateFailsTheHandshakeOnBothSides() throws Exception {
        inFiber(() -> {
            try (Pair p = pair(context(null, STRANGER), null, null)) {
                CompletableFuture<Void> server = fiber(() -> {
                    p.server().startHandshake();
                    return null;
                });
                SSLHandshakeException e = assertThrows(SSLHandshakeException.class, () -> p.client().startHandshake());
                assertTrue(e.getMessage().contains("PKIX") || e.getMessage().contains("certificat"), e.getMessage());
                assertInstanceOf(SSLException.class, failureOf(server));
                assertFalse(p.client().isOpen(), "a failed handshake closes the connection");
                assertThrows(SocketException.class, () -> p.client().write(new byte[1]));
            }
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void requiredClientAuthenticationWithoutACertificateFails(String protocol) throws Exception {
        inFiber(() -> {
            SSLParameters need = new SSLParameters();
            need.setNeedClientAuth(true);
            try (Pair p = pair(context(null, SERVER), protocols(protocol), need)) {
                CompletableFuture<Void> server = fiber(() -> {
                    p.server().startHandshake();
                    return null;
                });
                // In TLS 1.3 the client finishes before the server checks its (empty) certificate:
                // the failure then arrives with the first read.
                Throwable client = failureOf(fiber(() -> {
                    p.client().startHandshake();
                    return p.client().read(new byte[1], 0, 1);
                }));
                // TLS 1.2: the client may still be sending its flight when the server has closed, and
                // see the reset ("Broken pipe", "Connection reset") before the alert.
                assertTrue(client instanceof SSLException || client instanceof SocketException, client.toString());
                assertInstanceOf(SSLHandshakeException.class, failureOf(server));
            }
            return null;
        });
    }

    @Test
    void requiredClientAuthenticationWithACertificateShowsThePeer() throws Exception {
        inFiber(() -> {
            SSLParameters need = new SSLParameters();
            need.setNeedClientAuth(true);
            try (Pair p = pair(context(CLIENT, SERVER), null, need)) {
                exchangeHello(p);
                assertEquals("CN=fiberio test client", p.server().getSession().getPeerPrincipal().getName());
                assertEquals(TestCertificates.certificate(CLIENT), p.server().getSession().getPeerCertificates()[0]);
            }
            return null;
        });
    }

    @Test
    void wantedClientAuthenticationWithoutACertificateSucceeds() throws Exception {
        inFiber(() -> {
            SSLParameters want = new SSLParameters();
            want.setWantClientAuth(true);
            try (Pair p = pair(context(null, SERVER), null, want)) {
                exchangeHello(p);
                assertThrows(SSLPeerUnverifiedException.class, () -> p.server().getSession().getPeerCertificates());
            }
            return null;
        });
    }

    @Test
    void alpnAndSniValuesAreVisibleOnBothSides() throws Exception {
        inFiber(() -> {
            SSLParameters client = new SSLParameters();
            client.setApplicationProtocols(new String[] {"h2", "http/1.1"});
            client.setServerNames(List.of(new SNIHostName("api.fiberio.test")));
            SSLParameters server = new SSLParameters();
            server.setApplicationProtocols(new String[] {"http/1.1"});
            try (Pair p = pair(context(null, SERVER), client, server)) {
                assertEquals(null, p.client().getApplicationProtocol(), "before the handshake");
                exchangeHello(p);
                assertEquals("http/1.1", p.client().getApplicationProtocol());
                assertEquals("http/1.1", p.server().getApplicationProtocol());
                ExtendedSSLSession session = (ExtendedSSLSession) p.server().getSession();
                assertEquals(List.of(new SNIHostName("api.fiberio.test")), session.getRequestedServerNames());
            }
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aSecondConnectionWithTheSameContextResumesTheSession(String protocol) throws Exception {
        // The JDK's client cache finds a session by the peer's host and port: one listener for all.
        SSLContext clientContext = context(null, SERVER);
        inFiber(() -> {
            try (FiberServerSocket listener = listen()) {
                SSLSession first;
                try (Pair p = pair(listener, clientContext, protocols(protocol), null)) {
                    exchangeHello(p);
                    first = p.client().getSession();
                }
                // Sessions are stamped in milliseconds: let the clock pass the first one's stamp, so
                // that an equal stamp below can only come from resumption.
                while (System.currentTimeMillis() <= first.getCreationTime()) {
                    Fiber.yield();
                }
                try (Pair p = pair(listener, clientContext, protocols(protocol), null)) {
                    exchangeHello(p);
                    SSLSession second = p.client().getSession();
                    assertEquals(protocol, second.getProtocol());
                    assertEquals(first.getCreationTime(), second.getCreationTime(), "a resumed session keeps its creation time");
                    if (protocol.equals("TLSv1.2")) {
                        assertArrayEquals(first.getId(), second.getId(), "TLS 1.2 resumes by session id");
                    }
                }
                try (Pair p = pair(listener, context(null, SERVER), protocols(protocol), null)) {
                    exchangeHello(p);
                    assertNotEquals(first.getCreationTime(), p.client().getSession().getCreationTime(), "a fresh context makes a full handshake");
                }
            }
            return null;
        });
    }

    @Test
    void startHandshakeAfterTheHandshakeUpdatesTls13KeysAndRefusesTls12Renegotiation() throws Exception {
        inFiber(() -> {
            try (Pair p = pair(context(null, SERVER), protocols("TLSv1.3"), null)) {
                exchangeHello(p);
                p.client().startHandshake(); // key update
                p.server().startHandshake(); // key update
                exchangeHello(p);
            }
            try (Pair p = pair(context(null, SERVER), protocols("TLSv1.2"), null)) {
                exchangeHello(p);
                SSLException e = assertThrows(SSLException.class, () -> p.client().startHandshake());
                assertTrue(e.getMessage().contains("renegotiation"), e.getMessage());
                exchangeHello(p); // still usable
            }
            return null;
        });
    }

    // ------------------------------------------------------------------------------------------
    // Against the JDK's SSLSocket and SSLServerSocket
    // ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void fiberClientTalksToJdkServer(String protocol) throws Exception {
        SSLParameters serverParams = new SSLParameters();
        serverParams.setApplicationProtocols(new String[] {"echo/1"});
        try (SSLServerSocket jdk = jdkServer(SERVER_CONTEXT, serverParams)) {
            CompletableFuture<Long> peer = thread(() -> {
                try (SSLSocket s = (SSLSocket) jdk.accept()) {
                    return echo(s.getInputStream(), s.getOutputStream());
                }
            });
            inFiber(() -> {
                SSLParameters params = protocols(protocol);
                params.setApplicationProtocols(new String[] {"echo/1"});
                try (FiberTlsSocket tls = connect(jdk.getLocalPort(), context(null, SERVER), params)) {
                    tls.write("ping".getBytes(StandardCharsets.US_ASCII));
                    assertEquals("ping", new String(readN(tls, 4), StandardCharsets.US_ASCII));
                    assertEquals(protocol, tls.getSession().getProtocol());
                    assertEquals("echo/1", tls.getApplicationProtocol());
                }
                return null;
            });
            assertEquals(4L, await(peer), "the JDK server read end of stream after our close");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void jdkClientTalksToFiberServer(String protocol) throws Exception {
        inFiber(() -> {
            try (FiberTlsServerSocket server = FiberTlsServerSocket.of(listen(), SERVER_CONTEXT, null)) {
                int port = server.localAddress().getPort();
                CompletableFuture<String> peer = thread(() -> {
                    try (SSLSocket s = jdkClient(port, context(null, SERVER), protocol)) {
                        s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                        byte[] buf = s.getInputStream().readNBytes(4);
                        return new String(buf, StandardCharsets.US_ASCII) + s.getSession().getProtocol();
                    }
                });
                try (FiberTlsSocket s = server.accept()) {
                    assertEquals(4L, echo(s.getInputStream(), s.getOutputStream()), "bytes echoed before the client's close_notify");
                }
                assertEquals("ping" + protocol, await(peer));
            }
            return null;
        });
    }

    @Test
    void largeTransfersBothWaysAtOnceWithAJdkPeer() throws Exception {
        try (SSLServerSocket jdk = jdkServer(SERVER_CONTEXT, null)) {
            CompletableFuture<SSLSocket> accepted = thread(() -> handshaken((SSLSocket) jdk.accept()));
            inFiber(() -> {
                try (FiberTlsSocket tls = connect(jdk.getLocalPort(), context(null, SERVER), null)) {
                    tls.startHandshake();
                    try (SSLSocket peer = await(accepted)) {
                        CompletableFuture<byte[]> peerSends = thread(() -> sendPattern(peer.getOutputStream(), BIG, 3));
                        CompletableFuture<byte[]> peerReads = thread(() -> digestOf(peer.getInputStream(), BIG));
                        CompletableFuture<byte[]> weSend = fiber(() -> sendPattern(tls.getOutputStream(), BIG, 4));
                        byte[] weRead = digestOfDirect(tls, BIG);
                        assertArrayEquals(await(peerSends), weRead, "JDK → fiber");
                        assertArrayEquals(await(weSend), await(peerReads), "fiber → JDK");
                    }
                }
                return null;
            });
        }
    }

    @Test
    void plainThreadsMayUseTlsSockets() throws Exception {
        try (SSLServerSocket jdk = jdkServer(SERVER_CONTEXT, null)) {
            CompletableFuture<Long> peer = thread(() -> {
                try (Socket s = jdk.accept()) {
                    return echo(s.getInputStream(), s.getOutputStream());
                }
            });
            try (FiberTlsSocket tls = connect(jdk.getLocalPort(), context(null, SERVER), null)) {
                tls.write(ByteBuffer.wrap("abc".getBytes(StandardCharsets.US_ASCII)));
                assertEquals("abc", new String(readN(tls, 3), StandardCharsets.US_ASCII));
            }
            assertEquals(3L, await(peer));
        }
    }

    @Test
    void aJdkPeersKeyUpdateIsHandled() throws Exception {
        inFiber(() -> {
            try (FiberTlsServerSocket server = FiberTlsServerSocket.of(listen(), SERVER_CONTEXT, null)) {
                int port = server.localAddress().getPort();
                CompletableFuture<String> peer = thread(() -> {
                    try (SSLSocket s = jdkClient(port, context(null, SERVER), "TLSv1.3")) {
                        s.getOutputStream().write('a');
                        int first = s.getInputStream().read();
                        s.startHandshake(); // TLS 1.3: a KeyUpdate asking for ours
                        s.getOutputStream().write('b');
                        int second = s.getInputStream().read();
                        return "" + (char) first + (char) second;
                    }
                });
                try (FiberTlsSocket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    assertEquals('a', in.read());
                    out.write('A');
                    assertEquals('b', in.read());
                    out.write('B');
                    assertEquals(-1, in.read());
                }
                assertEquals("AB", await(peer));
            }
            return null;
        });
    }

    @Test
    void aJdkPeersTls12RenegotiationIsRefusedAndClosesTheConnection() throws Exception {
        inFiber(() -> {
            try (FiberTlsServerSocket server = FiberTlsServerSocket.of(listen(), SERVER_CONTEXT, null)) {
                int port = server.localAddress().getPort();
                CompletableFuture<Object> peer = thread(() -> {
                    try (SSLSocket s = jdkClient(port, context(null, SERVER), "TLSv1.2")) {
                        s.getOutputStream().write('a');
                        s.startHandshake(); // renegotiation: sends a ClientHello
                        try {
                            return s.getInputStream().read();
                        } catch (IOException e) {
                            return e;
                        }
                    }
                });
                try (FiberTlsSocket s = server.accept()) {
                    assertEquals('a', s.getInputStream().read());
                    SSLException e = assertThrows(SSLException.class, () -> s.getInputStream().read());
                    assertTrue(e.getMessage().contains("renegotiation"), e.getMessage());
                    assertFalse(s.isOpen());
                }
                Object outcome = await(peer);
                assertTrue(Integer.valueOf(-1).equals(outcome) || outcome instanceof IOException,
                        "the JDK peer's renegotiation did not go through: " + outcome);
            }
            return null;
        });
    }

    /**
     * Repeated: the client rejects the certificate while the JDK server may still be writing its
     * flight, and the server must learn the reason (the alert), not see a reset.
     */
    @RepeatedTest(25)
    void aWrongCertificateFromAJdkServerFailsTheHandshake() throws Exception {
        try (SSLServerSocket jdk = jdkServer(STRANGER_SERVER_CONTEXT, null)) {
            CompletableFuture<Throwable> peer = thread(() -> {
                try (SSLSocket s = (SSLSocket) jdk.accept()) {
                    s.startHandshake();
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });
            inFiber(() -> {
                try (FiberTlsSocket tls = connect(jdk.getLocalPort(), context(null, SERVER), null)) {
                    assertThrows(SSLHandshakeException.class, () -> tls.write(new byte[] {1}));
                }
                return null;
            });
            assertInstanceOf(SSLException.class, await(peer));
        }
    }

    // ------------------------------------------------------------------------------------------
    // Stalls, timeouts, truncation
    // ------------------------------------------------------------------------------------------

    @Test
    void aServerThatNeverAnswersTheClientHelloTimesTheHandshakeOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, LOOPBACK)) {
            CompletableFuture<Void> clientDone = new CompletableFuture<>();
            CompletableFuture<Integer> peer = thread(() -> {
                try (Socket s = silent.accept()) {
                    int first = s.getInputStream().read(); // the ClientHello's first byte; never an answer
                    await(clientDone);
                    return first;
                }
            });
            inFiber(() -> {
                try (FiberTlsSocket tls = connect(silent.getLocalPort(), context(null, SERVER), null)) {
                    tls.setReadTimeout(SHORT);
                    long start = System.nanoTime();
                    SocketTimeoutException e = assertThrows(SocketTimeoutException.class, tls::startHandshake);
                    assertElapsedAtLeast(start, SHORT);
                    assertEquals("Read timed out", e.getMessage());
                    assertTrue(tls.isOpen(), "a timed-out handshake leaves the socket open");
                } finally {
                    clientDone.complete(null);
                }
                return null;
            });
            assertEquals(22, await(peer), "a handshake record was sent");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aClientThatStallsInTheMiddleOfItsHelloTimesTheHandshakeOut(boolean explicit) throws Exception {
        byte[] hello = clientHello();
        inFiber(() -> {
            try (FiberServerSocket listener = listen(); Socket raw = new Socket()) {
                raw.connect(listener.localAddress());
                raw.getOutputStream().write(hello, 0, hello.length / 2);
                try (FiberTlsSocket tls = FiberTlsSocket.server(listener.accept(), SERVER_CONTEXT)) {
                    tls.setReadTimeout(SHORT);
                    long start = System.nanoTime();
                    assertThrows(SocketTimeoutException.class, explicit ? tls::startHandshake : () -> tls.read(new byte[10], 0, 10));
                    assertElapsedAtLeast(start, SHORT);
                }
            }
            return null;
        });
    }

    @Test
    void aClientThatClosesInTheMiddleOfItsHelloFailsTheHandshake() throws Exception {
        byte[] hello = clientHello();
        inFiber(() -> {
            try (FiberServerSocket listener = listen()) {
                try (Socket raw = new Socket()) {
                    raw.connect(listener.localAddress());
                    raw.getOutputStream().write(hello, 0, hello.length / 2);
                }
                try (FiberTlsSocket tls = FiberTlsSocket.server(listener.accept(), SERVER_CONTEXT)) {
                    SSLHandshakeException e = assertThrows(SSLHandshakeException.class, tls::startHandshake);
                    assertEquals("Remote host terminated the handshake", e.getMessage());
                }
            }
            return null;
        });
    }

    @Test
    void aReadTimesOutAndTheSocketStaysUsable() throws Exception {
        try (SSLServerSocket jdk = jdkServer(SERVER_CONTEXT, null)) {
            CompletableFuture<SSLSocket> accepted = thread(() -> handshaken((SSLSocket) jdk.accept()));
            inFiber(() -> {
                try (FiberTlsSocket tls = connect(jdk.getLocalPort(), context(null, SERVER), null)) {
                    tls.startHandshake();
                    try (SSLSocket peer = await(accepted)) {
                        tls.setReadTimeout(SHORT);
                        long start = System.nanoTime();
                        SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> tls.read(new byte[10], 0, 10));
                        assertElapsedAtLeast(start, SHORT);
                        assertEquals("Read timed out", e.getMessage());
                        peer.getOutputStream().write("late".getBytes(StandardCharsets.US_ASCII));
                        tls.setReadTimeout(Duration.ZERO);
                        assertEquals("late", new String(readN(tls, 4), StandardCharsets.US_ASCII));
                    }
                }
                return null;
            });
        }
    }

    @Test
    void aWriteToAPeerThatDoesNotReadTimesOutAndTheRestFollowsLater() throws Exception {
        inFiber(() -> {
            try (Pair p = pair(context(null, SERVER), null, null)) {
                exchangeHello(p);
                p.client().setWriteTimeout(SHORT);
                byte[] big = new byte[BIG];
                new Random(5).nextBytes(big);
                long start = System.nanoTime();
                SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> p.client().write(big));
                assertElapsedAtLeast(start, SHORT);
                assertEquals("Write timed out", e.getMessage());
                int sent = e.bytesTransferred;
                assertTrue(sent > 0 && sent < BIG, "plaintext taken before the timeout: " + sent);
                // The socket stays usable: the rest follows, after the record left half-sent.
                p.client().setWriteTimeout(Duration.ZERO);
                CompletableFuture<Void> rest = fiber(() -> {
                    p.client().write(big, sent, BIG - sent);
                    return null;
                });
                assertArrayEquals(big, readN(p.server(), BIG));
                await(rest);
            }
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void truncationWithoutCloseNotifyReadsAsEndOfStreamUnlessCloseNotifyIsRequired(boolean require) throws Exception {
        inFiber(() -> {
            try (FiberTlsServerSocket server = FiberTlsServerSocket.of(listen(), SERVER_CONTEXT, null)) {
                int port = server.localAddress().getPort();
                CompletableFuture<Void> peer = thread(() -> {
                    // An SSLSocket layered over a plain one: closing the plain one sends no close_notify.
                    Socket plain = new Socket(LOOPBACK, port);
                    SSLSocket s = (SSLSocket) context(null, SERVER).getSocketFactory().createSocket(plain, "localhost", port, false);
                    s.getOutputStream().write("data".getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    plain.close();
                    return null;
                });
                try (FiberTlsSocket s = server.accept()) {
                    s.setRequireCloseNotify(require);
                    assertEquals("data", new String(readN(s, 4), StandardCharsets.US_ASCII));
                    await(peer);
                    if (require) {
                        SSLProtocolException e = assertThrows(SSLProtocolException.class, () -> s.read(new byte[10], 0, 10));
                        assertEquals("Remote host terminated the connection", e.getMessage());
                    } else {
                        assertEquals(-1, s.read(new byte[10], 0, 10));
                    }
                }
            }
            return null;
        });
    }

    @Test
    void theJdkSslSocketAlsoReadsTruncationAsEndOfStreamByDefault() throws Exception {
        // The contract followed above, checked on this JDK.
        try (SSLServerSocket jdk = jdkServer(SERVER_CONTEXT, null)) {
            int port = jdk.getLocalPort();
            CompletableFuture<Void> peer = thread(() -> {
                Socket plain = new Socket(LOOPBACK, port);
                SSLSocket s = (SSLSocket) context(null, SERVER).getSocketFactory().createSocket(plain, "localhost", port, false);
                s.getOutputStream().write(1);
                s.getOutputStream().flush();
                plain.close();
                return null;
            });
            try (Socket s = jdk.accept()) {
                assertEquals(1, s.getInputStream().read());
                await(peer);
                assertEquals(-1, s.getInputStream().read());
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------

    /** A client and an accepted server, neither handshaken. */
    private record Pair(FiberTlsSocket client, FiberTlsSocket server, FiberServerSocket listener) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try (client; server) {
                if (listener != null) {
                    listener.close();
                }
            }
        }
    }

    private Pair pair(SSLContext clientContext, SSLParameters clientParams, SSLParameters serverParams) throws IOException {
        FiberServerSocket listener = listen();
        try {
            Pair p = pair(listener, clientContext, clientParams, serverParams);
            return new Pair(p.client(), p.server(), listener);
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    /** A pair over an existing listener, which the pair does not close. */
    private Pair pair(FiberServerSocket listener, SSLContext clientContext, SSLParameters clientParams, SSLParameters serverParams)
            throws IOException {
        FiberTlsSocket client = connect(listener.localAddress().getPort(), clientContext, clientParams);
        try {
            return new Pair(client, FiberTlsSocket.server(listener.accept(), SERVER_CONTEXT, serverParams), null);
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private FiberServerSocket listen() throws IOException {
        return FiberServerSocket.open(net).bind(new InetSocketAddress(LOOPBACK, 0));
    }

    private FiberTlsSocket connect(int port, SSLContext ctx, SSLParameters params) throws IOException {
        FiberSocket tcp = FiberSocket.open(net);
        tcp.connect(new InetSocketAddress(LOOPBACK, port));
        return FiberTlsSocket.client(tcp, ctx, "localhost", port, params);
    }

    /** Client says hello, server answers, in two fibers (handshakes run implicitly). */
    private void exchangeHello(Pair p) throws Exception {
        CompletableFuture<Void> server = fiber(() -> {
            byte[] got = readN(p.server(), 5);
            p.server().write(got);
            return null;
        });
        p.client().write("hello".getBytes(StandardCharsets.US_ASCII));
        assertEquals("hello", new String(readN(p.client(), 5), StandardCharsets.US_ASCII));
        await(server);
    }

    private static SSLParameters protocols(String protocol) {
        SSLParameters p = new SSLParameters();
        p.setProtocols(new String[] {protocol});
        return p;
    }

    private static SSLServerSocket jdkServer(SSLContext ctx, SSLParameters params) throws IOException {
        SSLServerSocket s = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50, LOOPBACK);
        if (params != null) {
            s.setSSLParameters(params);
        }
        return s;
    }

    private static SSLSocket handshaken(SSLSocket s) throws IOException {
        s.startHandshake();
        return s;
    }

    private static SSLSocket jdkClient(int port, SSLContext ctx, String protocol) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(LOOPBACK, port);
        s.setEnabledProtocols(new String[] {protocol});
        return s;
    }

    /** A ClientHello as a JDK client engine produces it. */
    private static byte[] clientHello() throws IOException {
        SSLEngine engine = context(null, SERVER).createSSLEngine("localhost", 443);
        engine.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        return Arrays.copyOf(out.array(), out.position());
    }

    private static long echo(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[8192];
        long total = 0;
        for (int n; (n = in.read(buf)) >= 0; ) {
            out.write(buf, 0, n);
            out.flush();
            total += n;
        }
        return total;
    }

    private static byte[] readN(FiberTlsSocket s, int n) throws IOException {
        byte[] buf = new byte[n];
        for (int done = 0; done < n; ) {
            int r = s.read(buf, done, n - done);
            if (r < 0) {
                fail("end of stream after " + done + " of " + n + " bytes");
            }
            done += r;
        }
        return buf;
    }

    /** Writes {@code size} pseudo-random bytes in pieces of varying size; returns their SHA-256. */
    private static byte[] sendPattern(OutputStream out, int size, long seed) throws Exception {
        Random random = new Random(seed);
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[70_000];
        for (int done = 0; done < size; ) {
            int n = Math.min(size - done, 1 + random.nextInt(chunk.length));
            random.nextBytes(chunk);
            out.write(chunk, 0, n);
            out.flush();
            digest.update(chunk, 0, n);
            done += n;
        }
        return digest.digest();
    }

    /** Reads exactly {@code size} bytes into buffers of varying size, then asserts end of stream is not early; returns their SHA-256. */
    private static byte[] digestOf(FiberTlsSocket s, int size) throws Exception {
        return digestOf(s.getInputStream(), size);
    }

    private static byte[] digestOf(InputStream in, int size) throws Exception {
        Random random = new Random(size);
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[40_000];
        for (int done = 0; done < size; ) {
            int n = in.read(buf, 0, Math.min(size - done, 1 + random.nextInt(buf.length)));
            if (n < 0) {
                fail("end of stream after " + done + " of " + size + " bytes");
            }
            digest.update(buf, 0, n);
            done += n;
        }
        return digest.digest();
    }

    /** As {@link #digestOf(FiberTlsSocket, int)}, reading into a direct buffer large enough for whole records. */
    private static byte[] digestOfDirect(FiberTlsSocket s, int size) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
        for (int done = 0; done < size; ) {
            buf.clear().limit(Math.min(buf.capacity(), size - done));
            int n = s.read(buf);
            if (n < 0) {
                fail("end of stream after " + done + " of " + size + " bytes");
            }
            digest.update(buf.flip());
            done += n;
        }
        return digest.digest();
    }

    private <T> T inFiber(TestSchedulers.Callable<T> body) throws Exception {
        return TestSchedulers.inFiber(scheduler, body);
    }

    private <T> CompletableFuture<T> fiber(TestSchedulers.Callable<T> body) {
        CompletableFuture<T> result = new CompletableFuture<>();
        scheduler.spawn(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    private static <T> CompletableFuture<T> thread(TestSchedulers.Callable<T> body) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("jdk-peer").start(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /** The result, waiting in a fiber by suspending, on a thread with a bound; rethrows the task's exception. */
    private static <T> T await(CompletableFuture<T> f) throws Exception {
        CompletableFuture<Void> done = f.handle((v, t) -> null);
        if (Fiber.current() != null) {
            Fiber.await(done);
        } else {
            done.get(60, TimeUnit.SECONDS);
        }
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }

    private static Throwable failureOf(CompletableFuture<?> f) throws Exception {
        try {
            Object value = await(f);
            return fail("expected a failure, got " + value);
        } catch (Exception e) {
            return e;
        }
    }

    private static void awaitSuspendedFromFiber(Fiber f) {
        while (f.state() != FiberState.SUSPENDED) {
            Fiber.yield();
        }
    }

    private static void assertElapsedAtLeast(long startNanos, Duration min) {
        long elapsed = System.nanoTime() - startNanos;
        assertTrue(elapsed >= min.toNanos(), "returned after " + elapsed + " ns, before the timeout of " + min);
    }
}
