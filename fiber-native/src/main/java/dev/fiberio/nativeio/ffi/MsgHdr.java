package dev.fiberio.nativeio.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * Layout of {@code struct msghdr} (recvmsg(2), sendmsg(2), {@code <sys/socket.h>}) and accessors, for
 * callers that hand a message header to the kernel (io_uring's RECVMSG and SENDMSG).
 *
 * <pre>{@code
 * struct msghdr {
 *     void *msg_name; socklen_t msg_namelen;        // the peer's address (value-result on receive)
 *     struct iovec *msg_iov; size_t msg_iovlen;     // the data
 *     void *msg_control; size_t msg_controllen;     // ancillary data (unused here: NULL, 0)
 *     int msg_flags;                                // on receive: MSG_TRUNC and friends
 * };                                                // 56 bytes on 64-bit Linux
 * }</pre>
 *
 * <p>Addresses are written as raw numbers: the header, its iovec, the address and the data must all be
 * native memory that outlives the operation, which the caller's record guarantees.
 */
public final class MsgHdr {
    /** The layout; member names are the C field names. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4));
    /** {@code sizeof(struct msghdr)}. */
    public static final long SIZE = LAYOUT.byteSize();

    private static final long NAME = offset("msg_name");
    private static final long NAMELEN = offset("msg_namelen");
    private static final long IOV = offset("msg_iov");
    private static final long IOVLEN = offset("msg_iovlen");
    private static final long CONTROL = offset("msg_control");
    private static final long CONTROLLEN = offset("msg_controllen");
    private static final long FLAGS = offset("msg_flags");

    private MsgHdr() {
    }

    private static long offset(String member) {
        return LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(member));
    }

    /**
     * Fills a header that describes one buffer and an address, with no ancillary data and flags 0.
     *
     * @param header      {@link #SIZE} bytes
     * @param nameAddress the address of a {@code sockaddr} (storage), or 0 for none
     * @param nameLength  its length (on receive: the storage's size)
     * @param iovAddress  the address of an array of {@code iovCount} iovecs
     * @param iovCount    the number of iovecs
     */
    public static void set(MemorySegment header, long nameAddress, int nameLength, long iovAddress, long iovCount) {
        header.set(JAVA_LONG, NAME, nameAddress);
        header.set(JAVA_INT, NAMELEN, nameLength);
        header.set(JAVA_LONG, IOV, iovAddress);
        header.set(JAVA_LONG, IOVLEN, iovCount);
        header.set(JAVA_LONG, CONTROL, 0L);
        header.set(JAVA_LONG, CONTROLLEN, 0L);
        header.set(JAVA_INT, FLAGS, 0);
    }

    /**
     * The flags the kernel returned on receive ({@code MSG_TRUNC} when the datagram was longer than the buffers).
     *
     * @param header a header a receive completed on
     * @return {@code msg_flags}
     */
    public static int flags(MemorySegment header) {
        return header.get(JAVA_INT, FLAGS);
    }

    /**
     * The length of the address the kernel wrote on receive.
     *
     * @param header a header a receive completed on
     * @return {@code msg_namelen}
     */
    public static int nameLength(MemorySegment header) {
        return header.get(JAVA_INT, NAMELEN);
    }
}
