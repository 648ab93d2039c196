package dev.fiberio.iocp.win32;

import static dev.fiberio.iocp.win32.Win32Constants.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fake behaves like the Win32 docs describe, so poller tests on it mean something. */
class FakeWin32Test {

    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);
    private static final long KEY_A = 11;
    private static final long KEY_B = 22;

    /** Owner of every native buffer of a test; closed after the fake has no pending I/O left on them. */
    private final Arena arena = Arena.ofShared();
    private final FakeWin32 win32 = new FakeWin32();
    private long port;

    @BeforeEach
    void createPort() {
        assertEquals(0, win32.wsaStartup(WINSOCK_VERSION_2_2, arena.allocate(WsaData.LAYOUT)));
        port = win32.createIoCompletionPort(INVALID_HANDLE_VALUE, 0, 0, 0);
        assertNotEquals(0L, port);
    }

    @AfterEach
    void close() {
        arena.close();
    }

    // ---------------------------------------------------------------- WSARecv / WSASend

    @Test
    void synchronousReceiveWithoutSkipAlsoQueuesAPacket() {
        FakeWin32.SocketPair pair = associatedPair();
        win32.receive(pair.first(), HELLO);
        Io recv = new Io(16);

        assertEquals(0, recv.receive(pair.first()));
        assertEquals(HELLO.length, recv.dword.get(JAVA_INT, 0), "lpNumberOfBytesRecvd");
        assertArrayEquals(HELLO, recv.data(HELLO.length));
        assertEquals(HELLO.length, Overlapped.bytesTransferred(recv.overlapped));

        List<FakeCompletion> packets = dequeue(4, 0);
        assertEquals(List.of(new FakeCompletion(port, KEY_A, recv.overlapped.address(), STATUS_SUCCESS, HELLO.length)),
                packets);
    }

    @Test
    void synchronousReceiveWithSkipQueuesNothing() {
        FakeWin32.SocketPair pair = associatedPair();
        assertTrue(win32.setFileCompletionNotificationModes(pair.first(),
                (byte) (FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE)));
        win32.receive(pair.first(), HELLO);
        Io recv = new Io(16);

        assertEquals(0, recv.receive(pair.first()));
        assertArrayEquals(HELLO, recv.data(HELLO.length));
        assertEquals(STATUS_SUCCESS, Overlapped.status(recv.overlapped));
        assertEquals(HELLO.length, Overlapped.bytesTransferred(recv.overlapped));
        assertTimesOut(0);
    }

    @Test
    void pendingReceiveCompletesWhenThePeerSendsFromAnotherThread() throws Exception {
        FakeWin32.SocketPair pair = associatedPair();
        Io recv = new Io(16);
        assertEquals(SOCKET_ERROR, recv.receive(pair.first()));
        assertEquals(WSA_IO_PENDING, win32.lastError());
        assertEquals(STATUS_PENDING, Overlapped.status(recv.overlapped));

        assertTrue(win32.setFileCompletionNotificationModes(pair.second(), FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));

        CompletableFuture<List<FakeCompletion>> poller = CompletableFuture.supplyAsync(() -> dequeue(4, INFINITE));
        win32.awaitWaiters(port, 1);
        assertEquals(0, new Io(HELLO).send(pair.second()), "completes at once; the receiver's packet is the only one");

        assertEquals(List.of(new FakeCompletion(port, KEY_A, recv.overlapped.address(), STATUS_SUCCESS, 5)), poller.get());
        assertArrayEquals(HELLO, recv.data(HELLO.length));
        assertEquals(STATUS_SUCCESS, Overlapped.status(recv.overlapped));
    }

    @Test
    void endOfStreamAndResetComplete() {
        FakeWin32.SocketPair pair = associatedPair();
        Io eof = new Io(8);
        assertEquals(SOCKET_ERROR, eof.receive(pair.first()));
        assertEquals(0, win32.shutdown(pair.second(), SD_SEND));
        assertEquals(List.of(new FakeCompletion(port, KEY_A, eof.overlapped.address(), STATUS_SUCCESS, 0)), dequeue(4, 0));

        Io reset = new Io(8);
        assertEquals(SOCKET_ERROR, reset.receive(pair.second()));
        win32.resetConnection(pair.second());
        FakeCompletion packet = dequeue(4, 0).getFirst();
        assertEquals(STATUS_CONNECTION_RESET, packet.status());
        assertFalse(reset.result(pair.second()));
        assertEquals(WSAECONNRESET, win32.lastError());
        SocketException e = (SocketException) Win32Error.exception("WSARecv", win32.lastError());
        assertEquals("Connection reset", e.getMessage());
        assertEquals(SOCKET_ERROR, new Io(8).receive(pair.second()));
        assertEquals(WSAECONNRESET, win32.lastError(), "later receives fail at once, queuing nothing");
        assertTimesOut(0);
    }

    @Test
    void sendWaitsForRoomInThePeerBuffer() {
        FakeWin32.SocketPair pair = associatedPair();
        win32.setReceiveCapacity(pair.second(), 5);
        assertEquals(0, new Io(HELLO).send(pair.first()));
        Io blocked = new Io(HELLO);
        assertEquals(SOCKET_ERROR, blocked.send(pair.first()));
        assertEquals(WSA_IO_PENDING, win32.lastError());
        assertEquals(1, win32.pendingOperations(pair.first()));
        dequeue(4, 0); // the first send's synchronous packet

        Io recv = new Io(5);
        assertEquals(0, recv.receive(pair.second()));
        List<FakeCompletion> packets = dequeue(4, 0);
        assertTrue(packets.contains(new FakeCompletion(port, KEY_A, blocked.overlapped.address(), STATUS_SUCCESS, 5)),
                packets.toString());
        assertArrayEquals(HELLO, win32.takeReceived(pair.second()));
    }

    // ---------------------------------------------------------------- cancel and close

    @Test
    void cancelCompletesWithOperationAborted() {
        FakeWin32.SocketPair pair = associatedPair();
        Io recv = new Io(8);
        assertEquals(SOCKET_ERROR, recv.receive(pair.first()));

        assertTrue(win32.cancelIoEx(pair.first(), recv.overlapped));
        assertEquals(List.of(new FakeCompletion(port, KEY_A, recv.overlapped.address(), STATUS_CANCELLED, 0)),
                dequeue(4, 0));
        assertFalse(recv.result(pair.first()));
        assertEquals(WSA_OPERATION_ABORTED, win32.lastError());
        assertFalse(win32.cancelIoEx(pair.first(), recv.overlapped));
        assertEquals(ERROR_NOT_FOUND, win32.lastError());
    }

    @Test
    void cancelRacingCompletionYieldsExactlyOnePacketPerOperation() throws Exception {
        FakeWin32.SocketPair pair = associatedPair();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 200; round++) {
                Io recv = new Io(16);
                assertEquals(SOCKET_ERROR, recv.receive(pair.first()));
                CyclicBarrier start = new CyclicBarrier(2);
                Future<Boolean> cancel = threads.submit(() -> {
                    start.await();
                    return win32.cancelIoEx(pair.first(), recv.overlapped);
                });
                Future<Integer> send = threads.submit(() -> {
                    start.await();
                    return new Io(HELLO).send(pair.second());
                });
                assertEquals(0, send.get());

                List<FakeCompletion> forRecv = new ArrayList<>();
                for (FakeCompletion packet : dequeue(8, 0)) {
                    if (packet.overlapped() == recv.overlapped.address()) {
                        forRecv.add(packet);
                    }
                }
                assertEquals(1, forRecv.size(), "round " + round + ": " + forRecv);
                boolean cancelled = forRecv.getFirst().status() == STATUS_CANCELLED;
                assertEquals(cancelled, cancel.get(), "CancelIoEx succeeds exactly when it won the race");
                byte[] leftover = win32.takeReceived(pair.first());
                assertArrayEquals(cancelled ? HELLO : new byte[0], leftover, "no data lost or duplicated");
                if (!cancelled) {
                    assertArrayEquals(HELLO, recv.data(HELLO.length));
                }
                drain();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void closesocketAbortsPendingOperationsAndThePeerSeesEndOfStream() {
        FakeWin32.SocketPair pair = associatedPair();
        Io recv = new Io(8);
        Io peerRecv = new Io(8);
        assertEquals(SOCKET_ERROR, recv.receive(pair.first()));
        assertEquals(SOCKET_ERROR, peerRecv.receive(pair.second()));

        assertEquals(0, win32.closesocket(pair.first()));
        Set<FakeCompletion> packets = new HashSet<>(dequeue(8, 0));
        assertEquals(Set.of(
                new FakeCompletion(port, KEY_A, recv.overlapped.address(), STATUS_LOCAL_DISCONNECT, 0),
                new FakeCompletion(port, KEY_B, peerRecv.overlapped.address(), STATUS_SUCCESS, 0)), packets);
        assertEquals(SOCKET_ERROR, win32.closesocket(pair.first()));
        assertEquals(WSAENOTSOCK, win32.lastError());
    }

    @Test
    void abortiveCloseResetsThePeer() {
        FakeWin32.SocketPair pair = associatedPair();
        MemorySegment linger = arena.allocate(Linger.LAYOUT);
        Linger.set(linger, true, 0);
        assertEquals(0, win32.setsockopt(pair.first(), SOL_SOCKET, SO_LINGER, linger, (int) linger.byteSize()));
        Io peerRecv = new Io(8);
        assertEquals(SOCKET_ERROR, peerRecv.receive(pair.second()));

        assertEquals(0, win32.closesocket(pair.first()));
        assertEquals(List.of(new FakeCompletion(port, KEY_B, peerRecv.overlapped.address(), STATUS_CONNECTION_RESET, 0)),
                dequeue(4, 0));
        assertEquals(SOCKET_ERROR, new Io(HELLO).send(pair.second()));
        assertEquals(WSAECONNRESET, win32.lastError());
    }

    // ---------------------------------------------------------------- the port

    @Test
    void dequeueTimesOutAndPostedPacketsArrive() throws Exception {
        assertTimesOut(0);
        assertTimesOut(20);
        CompletableFuture<List<FakeCompletion>> poller = CompletableFuture.supplyAsync(() -> dequeue(4, INFINITE));
        win32.awaitWaiters(port, 1);
        assertTrue(win32.postQueuedCompletionStatus(port, 42, 7L, MemorySegment.NULL));
        assertEquals(List.of(new FakeCompletion(port, 7L, 0, STATUS_SUCCESS, 42)), poller.get());
    }

    @Test
    void closingThePortReleasesItsWaiters() throws Exception {
        MemorySegment entries = arena.allocate(OverlappedEntry.arraySize(1));
        MemorySegment removed = arena.allocate(JAVA_INT);
        CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(() ->
                win32.getQueuedCompletionStatusEx(port, entries, 1, removed, INFINITE) ? 0 : win32.lastError());
        win32.awaitWaiters(port, 1);
        assertTrue(win32.closeHandle(port));
        assertEquals(ERROR_ABANDONED_WAIT_0, waiter.get());
        assertFalse(win32.getQueuedCompletionStatusEx(port, entries, 1, removed, 0));
        assertEquals(ERROR_INVALID_HANDLE, win32.lastError());
    }

    @Test
    void concurrentDequeuersGetEveryPacketExactlyOnce() throws Exception {
        int packets = 20_000;
        int threads = 4;
        long stop = -1;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    List<Long> keys = new ArrayList<>();
                    while (true) {
                        int stops = 0;
                        for (FakeCompletion packet : dequeue(8, INFINITE)) {
                            if (packet.key() == stop) {
                                stops++;
                            } else {
                                keys.add(packet.key());
                            }
                        }
                        if (stops > 0) {
                            for (int extra = 1; extra < stops; extra++) {
                                win32.postQueuedCompletionStatus(port, 0, stop, MemorySegment.NULL);
                            }
                            return keys;
                        }
                    }
                }));
            }
            for (long key = 1; key <= packets; key++) {
                assertTrue(win32.postQueuedCompletionStatus(port, 0, key, MemorySegment.NULL));
            }
            for (int t = 0; t < threads; t++) {
                win32.postQueuedCompletionStatus(port, 0, stop, MemorySegment.NULL);
            }
            Set<Long> seen = new HashSet<>();
            int total = 0;
            for (Future<List<Long>> result : results) {
                for (long key : result.get()) {
                    assertTrue(seen.add(key), "key " + key + " delivered twice");
                    total++;
                }
            }
            assertEquals(packets, total);
            assertEquals(packets, seen.size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void heldCompletionsAreDeliveredWhenAndInTheOrderReleased() throws Exception {
        Io first = new Io(0);
        Io second = new Io(0);
        try (CompletionHold hold = win32.holdCompletions(packet -> packet.key() == 5)) {
            CompletableFuture.runAsync(() -> {
                win32.postQueuedCompletionStatus(port, 1, 5, first.overlapped);
                win32.postQueuedCompletionStatus(port, 2, 5, second.overlapped);
            });
            List<FakeCompletion> held = hold.awaitHeld(2);
            assertTimesOut(0);
            assertEquals(0, win32.queuedCompletions(port));

            hold.release(held.get(1));
            hold.release(held.get(0));
            assertEquals(List.of(2, 1), dequeue(4, 0).stream().map(FakeCompletion::bytes).toList());
            assertThrows(IllegalArgumentException.class, () -> hold.release(held.get(0)));
        }
        assertTrue(win32.postQueuedCompletionStatus(port, 3, 5, MemorySegment.NULL));
        assertEquals(1, win32.queuedCompletions(port), "not held once the hold is closed");
    }

    @Test
    void aHeldReceiveHasAlreadyWrittenItsData() {
        FakeWin32.SocketPair pair = associatedPair();
        Io recv = new Io(16);
        assertEquals(SOCKET_ERROR, recv.receive(pair.first()));
        try (CompletionHold hold = win32.holdCompletions(packet -> packet.overlapped() == recv.overlapped.address())) {
            win32.receive(pair.first(), HELLO);
            assertEquals(1, hold.held().size());
            assertArrayEquals(HELLO, recv.data(HELLO.length));
            assertFalse(win32.cancelIoEx(pair.first(), recv.overlapped), "already complete: nothing to cancel");
            assertTimesOut(0);
        }
        assertEquals(1, dequeue(4, 0).size(), "closing the hold released it");
    }

    // ---------------------------------------------------------------- AcceptEx / ConnectEx

    @Test
    void acceptExAndConnectExConnectThroughAListener() throws Exception {
        long listener = socket(AF_INET);
        MemorySegment address = arena.allocate(SockAddrs.SOCKADDR_STORAGE);
        int length = SockAddrs.encode(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), AF_INET, address);
        assertEquals(0, win32.bind(listener, address, length));
        assertEquals(0, win32.listen(listener, SOMAXCONN));
        assertEquals(port, win32.createIoCompletionPort(listener, port, KEY_A, 0));
        InetSocketAddress listening = localAddress(listener);
        assertEquals(0, win32.loadExtensionFunctions(listener));

        long accepted = socket(AF_INET);
        MemorySegment output = arena.allocate(2L * ACCEPTEX_ADDRESS_LENGTH);
        Io accept = new Io(0);
        assertFalse(win32.acceptEx(listener, accepted, output, 0, ACCEPTEX_ADDRESS_LENGTH, ACCEPTEX_ADDRESS_LENGTH,
                accept.dword, accept.overlapped));
        assertEquals(ERROR_IO_PENDING, win32.lastError());

        long client = socket(AF_INET);
        assertEquals(port, win32.createIoCompletionPort(client, port, KEY_B, 0));
        assertEquals(0, win32.bind(client, address, length));
        length = SockAddrs.encode(listening, AF_INET, address);
        Io connect = new Io(0);
        assertFalse(win32.connectEx(client, address, length, MemorySegment.NULL, 0, MemorySegment.NULL,
                connect.overlapped));
        assertEquals(ERROR_IO_PENDING, win32.lastError());
        assertEquals(Set.of(
                new FakeCompletion(port, KEY_A, accept.overlapped.address(), STATUS_SUCCESS, 0),
                new FakeCompletion(port, KEY_B, connect.overlapped.address(), STATUS_SUCCESS, 0)),
                new HashSet<>(dequeue(4, 0)));

        MemorySegment localPointer = arena.allocate(ADDRESS);
        MemorySegment remotePointer = arena.allocate(ADDRESS);
        MemorySegment localLength = arena.allocate(JAVA_INT);
        MemorySegment remoteLength = arena.allocate(JAVA_INT);
        win32.getAcceptExSockaddrs(output, 0, ACCEPTEX_ADDRESS_LENGTH, ACCEPTEX_ADDRESS_LENGTH,
                localPointer, localLength, remotePointer, remoteLength);
        assertEquals(16, localLength.get(JAVA_INT, 0));
        // The pointers point into the output buffer (asSlice also checks that they do).
        MemorySegment local = output.asSlice(localPointer.get(ADDRESS, 0).address() - output.address(),
                localLength.get(JAVA_INT, 0));
        MemorySegment remote = output.asSlice(remotePointer.get(ADDRESS, 0).address() - output.address(),
                remoteLength.get(JAVA_INT, 0));
        assertEquals(listening, SockAddrs.decode(local));
        assertEquals(localAddress(client), SockAddrs.decode(remote));

        MemorySegment listenHandle = arena.allocate(8).fill((byte) 0);
        assertEquals(0, win32.setsockopt(accepted, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, listenHandle, 8));
        assertEquals(0, new Io(HELLO).send(client));
        assertArrayEquals(HELLO, win32.takeReceived(accepted));
    }

    @Test
    void connectExWithoutListenerIsRefusedThroughItsCompletion() {
        long client = socket(AF_INET6);
        assertEquals(port, win32.createIoCompletionPort(client, port, KEY_B, 0));
        MemorySegment address = arena.allocate(SockAddrs.SOCKADDR_STORAGE);
        int length = SockAddrs.encode(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), AF_INET6, address);
        assertEquals(0, win32.bind(client, address, length));
        assertEquals(0, win32.loadExtensionFunctions(client));
        length = SockAddrs.encode(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1), AF_INET6, address);
        Io connect = new Io(0);

        win32.setConnectDelays(200, 60_000);
        assertFalse(win32.connectEx(client, address, length, MemorySegment.NULL, 0, MemorySegment.NULL,
                connect.overlapped));
        assertEquals(ERROR_IO_PENDING, win32.lastError());
        assertEquals(0, win32.queuedCompletions(port), "pending while the SYN is retried");
        assertEquals(1, win32.pendingOperations(client));
        assertEquals(STATUS_CONNECTION_REFUSED, dequeue(4, 10_000).getFirst().status());
        assertFalse(connect.result(client));
        assertSame(ConnectException.class, Win32Error.connectException("ConnectEx", win32.lastError()).getClass());
    }

    @Test
    void aConnectExNobodyAnswersTimesOutUnlessCancelledFirst() throws Exception {
        long client = socket(AF_INET);
        assertEquals(port, win32.createIoCompletionPort(client, port, KEY_B, 0));
        MemorySegment address = arena.allocate(SockAddrs.SOCKADDR_STORAGE);
        int length = SockAddrs.encode(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0), AF_INET, address);
        assertEquals(0, win32.bind(client, address, length));
        assertEquals(0, win32.loadExtensionFunctions(client));
        length = SockAddrs.encode(new InetSocketAddress(InetAddress.getByName("10.255.255.1"), 80), AF_INET, address);
        win32.setConnectDelays(60_000, 200);
        Io first = new Io(0);
        assertFalse(win32.connectEx(client, address, length, MemorySegment.NULL, 0, MemorySegment.NULL, first.overlapped));
        assertEquals(STATUS_IO_TIMEOUT, dequeue(4, 10_000).getFirst().status());

        win32.setConnectDelays(60_000, 60_000);
        Io second = new Io(0);
        assertFalse(win32.connectEx(client, address, length, MemorySegment.NULL, 0, MemorySegment.NULL, second.overlapped));
        assertEquals(0, win32.closesocket(client));
        assertEquals(STATUS_REQUEST_ABORTED, dequeue(4, 0).getFirst().status(), "closesocket aborts a pending ConnectEx");
    }

    @Test
    void handlesAreMultiplesOfFourAndAClosedOneIsReusedAtOnce() {
        long a = socket(AF_INET);
        long b = socket(AF_INET);
        assertEquals(0, a % 4);
        assertEquals(0, b % 4);
        assertEquals(0, win32.closesocket(a));
        assertEquals(a, socket(AF_INET), "the lowest free handle value again");
    }

    @Test
    void cancellingOneReceiveCancelsEveryPendingReceiveOfTheSocket() {
        FakeWin32.SocketPair pair = associatedPair();
        Io one = new Io(8);
        Io two = new Io(8);
        assertEquals(SOCKET_ERROR, one.receive(pair.first()));
        assertEquals(SOCKET_ERROR, two.receive(pair.first()));
        assertTrue(win32.cancelIoEx(pair.first(), one.overlapped));
        assertEquals(Set.of(
                new FakeCompletion(port, KEY_A, one.overlapped.address(), STATUS_CANCELLED, 0),
                new FakeCompletion(port, KEY_A, two.overlapped.address(), STATUS_CANCELLED, 0)), new HashSet<>(dequeue(8, 0)));
    }

    @Test
    void blockedThreadsAreReleasedLastInFirstOut() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<List<FakeCompletion>> earlier = threads.submit(() -> dequeue(1, 10_000));
            win32.awaitWaiters(port, 1);
            Future<List<FakeCompletion>> later = threads.submit(() -> dequeue(1, 10_000));
            win32.awaitWaiters(port, 2);
            MemorySegment none = MemorySegment.NULL;
            assertTrue(win32.postQueuedCompletionStatus(port, 1, 77L, none));
            assertEquals(77L, later.get().getFirst().key(), "the thread that blocked last gets the packet");
            assertFalse(earlier.isDone());
            assertTrue(win32.postQueuedCompletionStatus(port, 2, 78L, none));
            assertEquals(78L, earlier.get().getFirst().key());
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void acceptExCompletesAtOnceFromTheBacklog() {
        long listener = socket(AF_INET);
        MemorySegment address = arena.allocate(SockAddrs.SOCKADDR_STORAGE);
        int length = SockAddrs.encode(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), AF_INET, address);
        assertEquals(0, win32.bind(listener, address, length));
        assertEquals(0, win32.listen(listener, 16));
        assertEquals(port, win32.createIoCompletionPort(listener, port, KEY_A, 0));
        assertTrue(win32.setFileCompletionNotificationModes(listener, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
        long client = win32.connectTo(listener);
        assertEquals(0, win32.loadExtensionFunctions(listener));

        long accepted = socket(AF_INET);
        Io accept = new Io(0);
        MemorySegment output = arena.allocate(2L * ACCEPTEX_ADDRESS_LENGTH);
        assertTrue(win32.acceptEx(listener, accepted, output, 0, ACCEPTEX_ADDRESS_LENGTH, ACCEPTEX_ADDRESS_LENGTH,
                accept.dword, accept.overlapped));
        assertTimesOut(0);
        assertEquals(localAddress(client), peerAddress(accepted));
    }

    @Test
    void socketCallsReportWinsockErrors() {
        long a = socket(AF_INET);
        long b = socket(AF_INET);
        MemorySegment address = arena.allocate(SockAddrs.SOCKADDR_STORAGE);
        int length = SockAddrs.encode(new InetSocketAddress(InetAddress.getLoopbackAddress(), 40_000), AF_INET, address);
        assertEquals(0, win32.bind(a, address, length));
        assertEquals(SOCKET_ERROR, win32.bind(b, address, length));
        assertEquals(WSAEADDRINUSE, win32.lastError());
        assertEquals(SOCKET_ERROR, new Io(8).receive(b));
        assertEquals(WSAENOTCONN, win32.lastError());
        assertEquals(port, win32.createIoCompletionPort(a, port, KEY_A, 0));
        assertEquals(0L, win32.createIoCompletionPort(a, port, KEY_A, 0), "a handle is associated once");
        assertEquals(ERROR_INVALID_PARAMETER, win32.lastError());
        assertThrows(IllegalArgumentException.class,
                () -> win32.bind(b, MemorySegment.ofArray(new byte[16]), 16), "heap segments are refused like the linker does");
        assertEquals(0, win32.wsaCleanup());
        assertEquals(SOCKET_ERROR, win32.wsaCleanup());
        assertEquals(WSANOTINITIALISED, win32.lastError());
        assertEquals(INVALID_SOCKET, win32.wsaSocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, WSA_FLAG_OVERLAPPED));
    }

    // ---------------------------------------------------------------- helpers

    /** One overlapped operation's memory: OVERLAPPED, a one-entry WSABUF, its data and a DWORD. */
    private final class Io {
        final MemorySegment overlapped = arena.allocate(Overlapped.LAYOUT);
        final MemorySegment wsaBuf = arena.allocate(WsaBuf.LAYOUT);
        final MemorySegment buffer;
        final MemorySegment dword = arena.allocate(JAVA_INT);
        final MemorySegment flags = arena.allocate(JAVA_INT);

        Io(int capacity) {
            buffer = arena.allocate(Math.max(capacity, 1)).asSlice(0, capacity);
            WsaBuf.set(wsaBuf, 0, buffer);
        }

        Io(byte[] data) {
            this(data.length);
            MemorySegment.copy(data, 0, buffer, JAVA_BYTE, 0, data.length);
        }

        int receive(long socket) {
            return win32.wsaRecv(socket, wsaBuf, 1, dword, flags, overlapped);
        }

        int send(long socket) {
            return win32.wsaSend(socket, wsaBuf, 1, dword, 0, overlapped);
        }

        boolean result(long socket) {
            return win32.wsaGetOverlappedResult(socket, overlapped, dword, flags);
        }

        byte[] data(int length) {
            return buffer.asSlice(0, length).toArray(JAVA_BYTE);
        }
    }

    private FakeWin32.SocketPair associatedPair() {
        FakeWin32.SocketPair pair = win32.connectedPair(AF_INET);
        assertEquals(port, win32.createIoCompletionPort(pair.first(), port, KEY_A, 0));
        assertEquals(port, win32.createIoCompletionPort(pair.second(), port, KEY_B, 0));
        return pair;
    }

    private long socket(int family) {
        long socket = win32.wsaSocket(family, SOCK_STREAM, IPPROTO_TCP, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
        assertNotEquals(INVALID_SOCKET, socket);
        return socket;
    }

    private InetSocketAddress localAddress(long socket) {
        return address(socket, false);
    }

    private InetSocketAddress peerAddress(long socket) {
        return address(socket, true);
    }

    private InetSocketAddress address(long socket, boolean peer) {
        MemorySegment name = arena.allocate(SockAddrs.SOCKADDR_STORAGE);
        MemorySegment length = arena.allocate(JAVA_INT);
        length.set(JAVA_INT, 0, (int) name.byteSize());
        assertEquals(0, peer ? win32.getpeername(socket, name, length) : win32.getsockname(socket, name, length));
        return SockAddrs.decode(name);
    }

    /** One GetQueuedCompletionStatusEx call, read back into records; fails on timeout. */
    private List<FakeCompletion> dequeue(int count, int timeoutMillis) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment entries = call.allocate(OverlappedEntry.arraySize(count));
            MemorySegment removed = call.allocate(JAVA_INT);
            assertTrue(win32.getQueuedCompletionStatusEx(port, entries, count, removed, timeoutMillis),
                    () -> "no completion: error " + win32.lastError());
            List<FakeCompletion> packets = new ArrayList<>();
            for (int i = 0; i < removed.get(JAVA_INT, 0); i++) {
                packets.add(new FakeCompletion(port, OverlappedEntry.completionKey(entries, i),
                        OverlappedEntry.overlapped(entries, i), OverlappedEntry.status(entries, i),
                        OverlappedEntry.bytesTransferred(entries, i)));
            }
            return packets;
        }
    }

    private void drain() {
        while (win32.queuedCompletions(port) > 0) {
            dequeue(16, 0);
        }
    }

    private void assertTimesOut(int timeoutMillis) {
        try (Arena call = Arena.ofConfined()) {
            assertFalse(win32.getQueuedCompletionStatusEx(port, call.allocate(OverlappedEntry.arraySize(1)), 1,
                    call.allocate(JAVA_INT), timeoutMillis));
            assertEquals(WAIT_TIMEOUT, win32.lastError());
        }
    }
}
