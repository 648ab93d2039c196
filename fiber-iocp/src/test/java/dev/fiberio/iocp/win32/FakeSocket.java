package dev.fiberio.iocp.win32;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One socket of {@link FakeWin32}: its state, its receive buffer, its pending overlapped operations
 * and the data path between two connected sockets.
 *
 * <p>Implementation overview: every field is guarded by the owning {@link FakeWin32}'s state lock;
 * all methods are called with it held. A connection is two sockets whose {@link #peer} fields
 * point at each other. Data sent by one side is appended to the other side's {@link #inbound}
 * (bounded by that side's {@link #receiveCapacity}); {@link #pump} moves pending sends into the
 * peer and completes pending receives from the buffer until nothing changes. A connection that a
 * listener has not accepted yet has a handle-less server-side socket in the listener's backlog.
 */
final class FakeSocket {

    /** Lifecycle of a fake socket. */
    enum State { CREATED, BOUND, LISTENING, CONNECTED, CLOSED }

    /** Completes an operation: writes OVERLAPPED and queues the packet to the owner's port. */
    interface Completer {
        void complete(FakeSocket owner, MemorySegment overlapped, int status, int bytes);
    }

    /** A pending overlapped operation. */
    sealed interface Operation permits Receive, Send, Accept, Connect, ReceiveFrom {
        MemorySegment overlapped();
    }

    /** A pending WSARecv: the buffers its WSABUFs pointed to. */
    record Receive(MemorySegment overlapped, List<MemorySegment> buffers) implements Operation {
    }

    /** A pending WSASend: the buffers its WSABUFs pointed to (read when the data is transferred). */
    record Send(MemorySegment overlapped, List<MemorySegment> buffers, long length) implements Operation {
    }

    /** A pending ConnectEx whose refusal or timeout the fake's timer completes later. */
    record Connect(MemorySegment overlapped) implements Operation {
    }

    /**
     * A pending WSARecvFrom: the buffers, and where the sender's address and its length go (memory the
     * caller must keep until the completion).
     */
    record ReceiveFrom(MemorySegment overlapped, List<MemorySegment> buffers, MemorySegment from,
                       MemorySegment fromLength) implements Operation {
    }

    /** A datagram waiting in a UDP socket's receive queue, with its sender as the receiver sees it. */
    record Datagram(byte[] data, InetSocketAddress from) {
    }

    /** A pending AcceptEx on a listener. */
    record Accept(MemorySegment overlapped, FakeSocket acceptSocket, MemorySegment output,
                  int localLength, int remoteLength) implements Operation {
    }

    final long handle;
    final int family;
    /** SOCK_STREAM or SOCK_DGRAM. */
    int type = Win32Constants.SOCK_STREAM;
    State state = State.CREATED;
    InetSocketAddress local;
    InetSocketAddress remote;
    FakeCompletionPort port;
    long completionKey;
    byte notificationModes;
    FakeSocket peer;
    /** The peer sent FIN: reads return end of stream once {@link #inbound} is empty. */
    boolean endOfStream;
    /** The connection was reset: receives and sends fail. */
    boolean reset;
    boolean sendShutdown;
    boolean receiveShutdown;
    int receiveCapacity = 1 << 20;
    int backlogLimit;
    final ByteQueue inbound = new ByteQueue();
    final ArrayDeque<Receive> receives = new ArrayDeque<>();
    final ArrayDeque<Send> sends = new ArrayDeque<>();
    final ArrayDeque<Accept> accepts = new ArrayDeque<>();
    final ArrayDeque<Connect> connects = new ArrayDeque<>();
    /** Connections waiting for AcceptEx: handle-less server-side sockets. */
    final ArrayDeque<FakeSocket> backlog = new ArrayDeque<>();
    final Map<Long, byte[]> options = new HashMap<>();
    /** UDP: datagrams no receive has taken yet. */
    final ArrayDeque<Datagram> datagrams = new ArrayDeque<>();
    /** UDP: pending WSARecvFrom calls. */
    final ArrayDeque<ReceiveFrom> receiveFroms = new ArrayDeque<>();
    /** UDP: SIO_UDP_CONNRESET, on by default on Windows. */
    boolean reportPortUnreachable = true;
    /** UDP: an ICMP port unreachable waits to fail the next receive. */
    boolean portUnreachable;
    /** UDP: the multicast groups joined (any interface). */
    final java.util.Set<java.net.InetAddress> groups = new java.util.HashSet<>();

    FakeSocket(long handle, int family) {
        this.handle = handle;
        this.family = family;
    }

    boolean skipsCompletionOnSuccess() {
        return (notificationModes & Win32Constants.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS) != 0;
    }

    int pendingCount() {
        return receives.size() + sends.size() + accepts.size() + connects.size() + receiveFroms.size();
    }

    /** Whether a receive can complete now (with data, end of stream or reset). */
    boolean receiveReady() {
        return reset || inbound.size() > 0 || endOfStream;
    }

    /** Whether {@code length} more bytes may be buffered (an empty buffer takes any amount). */
    boolean hasRoomFor(long length) {
        return inbound.size() == 0 || inbound.size() + length <= receiveCapacity;
    }

    /** Scatters buffered bytes into {@code buffers}; returns the count (0 at end of stream). */
    int read(List<MemorySegment> buffers) {
        int total = 0;
        for (MemorySegment buffer : buffers) {
            int n = inbound.take(buffer);
            total += n;
            if (n < buffer.byteSize()) {
                break;
            }
        }
        return total;
    }

    /** Gathers {@code buffers} into this socket's receive buffer (called on the receiving side). */
    void append(List<MemorySegment> buffers) {
        for (MemorySegment buffer : buffers) {
            inbound.add(buffer.toArray(JAVA_BYTE));
        }
    }

    /**
     * Moves data and completes operations on this connection until nothing changes: pending sends
     * of each side go into the other's buffer while there is room (or fail if the other side is
     * gone), pending receives complete from the buffer.
     */
    void pump(Completer completer) {
        boolean progress = true;
        while (progress) {
            progress = flushSends(completer) | completeReceives(completer);
            if (peer != null) {
                progress |= peer.flushSends(completer) | peer.completeReceives(completer);
            }
        }
    }

    private boolean flushSends(Completer completer) {
        boolean progress = false;
        while (!sends.isEmpty()) {
            Send send = sends.peekFirst();
            if (reset || peer == null || peer.state == State.CLOSED || peer.reset) {
                sends.pollFirst();
                completer.complete(this, send.overlapped(), Win32Constants.STATUS_CONNECTION_RESET, 0);
            } else if (peer.hasRoomFor(send.length())) {
                sends.pollFirst();
                peer.append(send.buffers());
                completer.complete(this, send.overlapped(), Win32Constants.STATUS_SUCCESS, (int) send.length());
            } else {
                return progress;
            }
            progress = true;
        }
        return progress;
    }

    private boolean completeReceives(Completer completer) {
        boolean progress = false;
        while (!receives.isEmpty() && receiveReady()) {
            Receive receive = receives.pollFirst();
            if (reset) {
                completer.complete(this, receive.overlapped(), Win32Constants.STATUS_CONNECTION_RESET, 0);
            } else {
                completer.complete(this, receive.overlapped(), Win32Constants.STATUS_SUCCESS, read(receive.buffers()));
            }
            progress = true;
        }
        return progress;
    }

    /**
     * Removes the pending operations that match and completes them as cancelled.
     *
     * @return how many were cancelled
     */
    int cancel(Predicate<Operation> which, Completer completer) {
        return abort(which, op -> Win32Constants.STATUS_CANCELLED, completer);
    }

    /**
     * Removes the pending operations that match and completes each with the status {@code status} gives it.
     *
     * @return how many were aborted
     */
    int abort(Predicate<Operation> which, java.util.function.ToIntFunction<Operation> status, Completer completer) {
        List<Operation> cancelled = new ArrayList<>();
        for (ArrayDeque<? extends Operation> queue : List.of(receives, sends, accepts, connects, receiveFroms)) {
            for (Iterator<? extends Operation> it = queue.iterator(); it.hasNext(); ) {
                Operation operation = it.next();
                if (which.test(operation)) {
                    it.remove();
                    cancelled.add(operation);
                }
            }
        }
        cancelled.forEach(operation ->
                completer.complete(this, operation.overlapped(), status.applyAsInt(operation), 0));
        return cancelled.size();
    }

    /** UDP: a datagram arrives: it completes the oldest pending receive, or waits in the queue. */
    void offer(Datagram datagram, Completer completer) {
        ReceiveFrom receive = receiveFroms.pollFirst();
        if (receive == null) {
            datagrams.addLast(datagram);
        } else {
            int n = deliver(datagram, receive.buffers(), receive.from(), receive.fromLength());
            completer.complete(this, receive.overlapped(), n < datagram.data().length
                    ? Win32Constants.STATUS_BUFFER_OVERFLOW : Win32Constants.STATUS_SUCCESS, n);
        }
    }

    /** UDP: an ICMP port unreachable answers a datagram this socket sent (reported only with SIO_UDP_CONNRESET on). */
    void portUnreachable(Completer completer) {
        if (!reportPortUnreachable) {
            return;
        }
        ReceiveFrom receive = receiveFroms.pollFirst();
        if (receive == null) {
            portUnreachable = true;
        } else {
            completer.complete(this, receive.overlapped(), Win32Constants.STATUS_PORT_UNREACHABLE, 0);
        }
    }

    /**
     * UDP: copies what fits of {@code datagram} into {@code buffers} (the rest is discarded) and writes the
     * sender into {@code from}/{@code fromLength}.
     *
     * @return the bytes copied
     */
    int deliver(Datagram datagram, List<MemorySegment> buffers, MemorySegment from, MemorySegment fromLength) {
        byte[] data = datagram.data();
        int copied = 0;
        for (MemorySegment buffer : buffers) {
            int n = (int) Math.min(buffer.byteSize(), data.length - copied);
            MemorySegment.copy(data, copied, buffer, JAVA_BYTE, 0, n);
            copied += n;
        }
        int length = SockAddrs.encode(datagram.from(), family, from);
        fromLength.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, length);
        return copied;
    }

    /** Takes over a backlog connection: this socket becomes its server side. */
    void adopt(FakeSocket connection) {
        state = State.CONNECTED;
        local = connection.local;
        remote = connection.remote;
        peer = connection.peer;
        endOfStream = connection.endOfStream;
        reset = connection.reset;
        inbound.add(connection.inbound.takeAll());
        if (peer != null) {
            peer.peer = this;
        }
    }

    /** A growable FIFO of bytes. */
    static final class ByteQueue {
        private byte[] bytes = new byte[0];
        private int head;
        private int tail;

        int size() {
            return tail - head;
        }

        void add(byte[] data) {
            if (tail + data.length > bytes.length) {
                byte[] grown = new byte[Math.max(size() + data.length, 2 * size())];
                System.arraycopy(bytes, head, grown, 0, size());
                tail = size();
                head = 0;
                bytes = grown;
            }
            System.arraycopy(data, 0, bytes, tail, data.length);
            tail += data.length;
        }

        /** Copies as many bytes as fit into {@code target}; returns the count. */
        int take(MemorySegment target) {
            int n = (int) Math.min(size(), target.byteSize());
            MemorySegment.copy(bytes, head, target, JAVA_BYTE, 0, n);
            head += n;
            return n;
        }

        byte[] takeAll() {
            byte[] all = Arrays.copyOfRange(bytes, head, tail);
            head = tail;
            return all;
        }
    }
}
