package dev.fiberio.uring;

import static dev.fiberio.nativeio.ffi.LinuxConstants.MSG_TRUNC;
import static dev.fiberio.uring.ffi.UringConstants.ECANCELED;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_RECVMSG;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_SENDMSG;

import dev.fiberio.nativeio.completion.OperationRecord;
import dev.fiberio.nativeio.ffi.DatagramSupport;
import dev.fiberio.nativeio.ffi.Errno;
import dev.fiberio.nativeio.ffi.IoVec;
import dev.fiberio.nativeio.ffi.MsgHdr;
import dev.fiberio.nativeio.ffi.SockAddr;
import dev.fiberio.net.spi.DatagramHandle;
import dev.fiberio.net.spi.SocketErrors;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketOption;
import java.util.Set;

/**
 * A UDP socket on io_uring: IORING_OP_RECVMSG and IORING_OP_SENDMSG. Each direction has one
 * {@link OperationRecord} whose native memory holds everything the kernel reads or writes while the
 * operation is in flight: the {@code msghdr}, its one {@code iovec}, a {@code sockaddr_storage} (the
 * sender on receive, the destination on send) and room for any UDP datagram. As for the stream sockets,
 * the caller's memory is never handed to the kernel (it may be a movable heap array, and a close returns
 * before the cancelled operation's completion): a receive copies out, a send copies in. The memory is
 * released only after the kernel gave the record back (deadline, cancellation and close cancel with
 * ASYNC_CANCEL and the record waits for the completion; see {@link UringChannel}).
 *
 * <p>Truncation: the receive's iovec is as long as the caller's buffer (at most the record's room), so
 * a longer datagram is cut by the kernel, which sets {@code MSG_TRUNC} in {@code msg_flags}; the rest
 * is discarded, as java.net does. A datagram longer than the room (more than any UDP payload) fails as
 * the kernel fails it: "Message too long". Addresses, options, memberships, what a receive returns and
 * java.net's exceptions are shared with epoll ({@link DatagramSupport}); only the waiting is io_uring's.
 * RECVMSG and SENDMSG (Linux 5.3) are older than the EXT_ARG feature (5.11) the backend requires, so they
 * are not probed separately.
 */
final class UringDatagram extends UringChannel implements DatagramHandle {
    /** Room for one datagram: any UDP payload (65,507 bytes over IPv4, 65,527 over IPv6) fits. */
    static final int ROOM = 65_536;
    private static final long HEADER = 0;
    private static final long IOV = MsgHdr.SIZE;
    private static final long NAME = IOV + IoVec.SIZE;
    private static final long DATA = (NAME + SockAddr.STORAGE_SIZE + 63) & ~63L;
    private static final int RECORD_SIZE = (int) DATA + ROOM;

    private final OperationRecord receiveRecord;
    private final OperationRecord sendRecord;
    private final OperationRecord[] records;
    private final DatagramSupport support;

    private UringDatagram(int fd, int family, Ring ring) throws IOException {
        super(fd, family, ring);
        receiveRecord = newRecord(RECORD_SIZE);
        sendRecord = newRecord(RECORD_SIZE);
        records = new OperationRecord[] {receiveRecord, sendRecord};
        support = new DatagramSupport(this.fd, family, this::closedException);
    }

    /** Opens a non-blocking, close-on-exec UDP socket on the caller's ring. */
    static UringDatagram open(int family) throws IOException {
        return open(family, UringGroup.current().next());
    }

    /** Opens a UDP socket on a given ring (tests drive that ring themselves). */
    static UringDatagram open(int family, Ring ring) throws IOException {
        return new UringDatagram(DatagramSupport.openSocket(family), family, ring);
    }

    @Override
    OperationRecord[] records() {
        return records;
    }

    @Override
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public void bind(InetSocketAddress local) throws IOException {
        support.bind(local);
    }

    @Override
    public void connect(InetSocketAddress address) throws IOException {
        support.connect(address);
    }

    @Override
    public void disconnect() throws IOException {
        support.disconnect();
    }

    @Override
    public InetSocketAddress remoteAddress() throws IOException {
        return support.remoteAddress();
    }

    @Override
    public Received receive(MemorySegment dst, long deadline) throws IOException {
        int want = (int) Math.min(dst.byteSize(), ROOM);
        acquire(receiveRecord);
        try {
            MemorySegment m = receiveRecord.memory();
            for (;;) {
                // A receive a cancelled caller left behind is this caller's datagram if it succeeded.
                OperationRecord.Completion c = leftover(receiveRecord, deadline, SocketErrors::receiveTimedOut);
                if (c == null) {
                    describe(m, m.address() + NAME, (int) SockAddr.STORAGE_SIZE, want);
                    c = run(receiveRecord, IORING_OP_RECVMSG, m.address() + HEADER, 1, 0, 0, deadline,
                            SocketErrors::receiveTimedOut);
                }
                if (c.succeeded()) {
                    return received(m, c.value(), dst);
                }
                retryOrThrow("recvmsg", c.error());
            }
        } finally {
            receiveRecord.release();
        }
    }

    /** The datagram a RECVMSG of {@code length} bytes left in {@code m}, copied to {@code dst}. */
    private Received received(MemorySegment m, int length, MemorySegment dst) {
        MemorySegment header = m.asSlice(HEADER, MsgHdr.SIZE);
        MemorySegment name = MsgHdr.nameLength(header) == 0 ? null : m.asSlice(NAME, SockAddr.STORAGE_SIZE);
        Received r = support.received(name, length, dst.byteSize(), (MsgHdr.flags(header) & MSG_TRUNC) != 0);
        MemorySegment.copy(m, DATA, dst, 0, r.length());
        return r;
    }

    @Override
    public int send(MemorySegment src, InetSocketAddress target, long deadline) throws IOException {
        long size = src.byteSize();
        if (size > ROOM) {
            throw DatagramSupport.error("sendmsg", Errno.EMSGSIZE); // longer than any UDP datagram
        }
        acquire(sendRecord);
        try {
            leftover(sendRecord, deadline, SocketErrors::writeTimedOut); // a cancelled sender's datagram: done with
            MemorySegment m = sendRecord.memory();
            int nameLength = target == null ? 0 : encode(target, m.asSlice(NAME, SockAddr.STORAGE_SIZE));
            MemorySegment.copy(src, 0, m, DATA, size);
            for (;;) {
                describe(m, target == null ? 0 : m.address() + NAME, nameLength, (int) size);
                OperationRecord.Completion c = run(sendRecord, IORING_OP_SENDMSG, m.address() + HEADER, 1, 0, 0, deadline,
                        SocketErrors::writeTimedOut);
                if (c.succeeded()) {
                    return c.value();
                }
                retryOrThrow("sendmsg", c.error());
            }
        } finally {
            sendRecord.release();
        }
    }

    /**
     * After a failed RECVMSG or SENDMSG: returns if it is to be made again (an {@code ECANCELED} this
     * open socket did not ask for, {@code EINTR}, {@code EAGAIN}), else throws its exception.
     */
    private void retryOrThrow(String operation, int errno) throws IOException {
        if (errno == ECANCELED && !isOpen()) {
            throw closedException();
        }
        if (errno != ECANCELED && errno != Errno.EINTR && errno != Errno.EAGAIN) {
            throw DatagramSupport.error(operation, errno);
        }
    }

    /** Writes the msghdr and its iovec (over the data room) into a record's memory {@code m}. */
    private static void describe(MemorySegment m, long nameAddress, int nameLength, int dataLength) {
        IoVec.set(m.asSlice(IOV, IoVec.SIZE), 0, m.asSlice(DATA, dataLength));
        MsgHdr.set(m.asSlice(HEADER, MsgHdr.SIZE), nameAddress, nameLength, m.address() + IOV, 1);
    }

    @Override
    public void joinGroup(InetAddress group, NetworkInterface interfaze) throws IOException {
        support.joinGroup(group, interfaze);
    }

    @Override
    public void leaveGroup(InetAddress group, NetworkInterface interfaze) throws IOException {
        support.leaveGroup(group, interfaze);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return DatagramSupport.OPTIONS;
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        support.setOption(option, value);
    }

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        return support.getOption(option);
    }

    @Override
    public String toString() {
        return "UringDatagram[fd=" + fd.fd + (fd.isClosed() ? ", closed" : "") + ", remote=" + support.remote() + "]";
    }
}
