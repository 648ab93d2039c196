package dev.fiberio.uring.ffi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * Struct layouts of {@code <linux/io_uring.h>} that fiber-uring reads or writes. Member names are the
 * C names (anonymous unions are named by the member fiber-uring uses), so {@code UringLayoutTest}
 * compares every offset and size with the header. Reserved members whose C name differs between header
 * versions ({@code resv2} became {@code user_addr}, {@code pad} became {@code min_wait_usec}) are
 * padding here: fiber-uring never uses them, and the struct sizes are still checked.
 */
public final class UringLayouts {
    private UringLayouts() {
    }

    /** {@code struct io_sqring_offsets}. */
    public static final StructLayout SQ_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"), JAVA_INT.withName("tail"), JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"), JAVA_INT.withName("flags"), JAVA_INT.withName("dropped"),
            JAVA_INT.withName("array"), JAVA_INT.withName("resv1"), MemoryLayout.paddingLayout(8)).withByteAlignment(8);

    /** {@code struct io_cqring_offsets}. */
    public static final StructLayout CQ_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"), JAVA_INT.withName("tail"), JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"), JAVA_INT.withName("overflow"), JAVA_INT.withName("cqes"),
            JAVA_INT.withName("flags"), JAVA_INT.withName("resv1"), MemoryLayout.paddingLayout(8)).withByteAlignment(8);

    /** {@code struct io_uring_params}. */
    public static final StructLayout PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("sq_entries"), JAVA_INT.withName("cq_entries"), JAVA_INT.withName("flags"),
            JAVA_INT.withName("sq_thread_cpu"), JAVA_INT.withName("sq_thread_idle"), JAVA_INT.withName("features"),
            JAVA_INT.withName("wq_fd"), MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv"),
            SQ_OFFSETS.withName("sq_off"), CQ_OFFSETS.withName("cq_off"));

    /** {@code struct io_uring_sqe} (64 bytes; unions named by the member used here). */
    public static final StructLayout SQE = MemoryLayout.structLayout(
            JAVA_BYTE.withName("opcode"), JAVA_BYTE.withName("flags"), JAVA_SHORT.withName("ioprio"),
            JAVA_INT.withName("fd"), JAVA_LONG.withName("off"), JAVA_LONG.withName("addr"),
            JAVA_INT.withName("len"), JAVA_INT.withName("rw_flags"), JAVA_LONG.withName("user_data"),
            JAVA_SHORT.withName("buf_index"), JAVA_SHORT.withName("personality"), JAVA_INT.withName("file_index"),
            JAVA_LONG.withName("addr3"), MemoryLayout.sequenceLayout(1, JAVA_LONG).withName("__pad2"));

    /** {@code struct io_uring_cqe} (without the CQE32 extension). */
    public static final StructLayout CQE = MemoryLayout.structLayout(
            JAVA_LONG.withName("user_data"), JAVA_INT.withName("res"), JAVA_INT.withName("flags"));

    /** {@code struct io_uring_getevents_arg}. */
    public static final StructLayout GETEVENTS_ARG = MemoryLayout.structLayout(
            JAVA_LONG.withName("sigmask"), JAVA_INT.withName("sigmask_sz"), MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("ts"));

    /** {@code struct __kernel_timespec}. */
    public static final StructLayout KERNEL_TIMESPEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"), JAVA_LONG.withName("tv_nsec"));

    /** {@code struct io_uring_probe} without its flexible {@code ops} array. */
    public static final StructLayout PROBE = MemoryLayout.structLayout(
            JAVA_BYTE.withName("last_op"), JAVA_BYTE.withName("ops_len"), JAVA_SHORT.withName("resv"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv2"));

    /** {@code struct io_uring_probe_op}. */
    public static final StructLayout PROBE_OP = MemoryLayout.structLayout(
            JAVA_BYTE.withName("op"), JAVA_BYTE.withName("resv"), JAVA_SHORT.withName("flags"),
            JAVA_INT.withName("resv2"));

    /**
     * {@code struct io_uring_buf_reg}: the argument of IORING_REGISTER_PBUF_RING. Its member after
     * {@code bgid} is {@code pad} in older headers and {@code flags} in newer ones; fiber-uring passes 0
     * (a ring in memory it allocated), so it is padding here.
     */
    public static final StructLayout BUF_REG = MemoryLayout.structLayout(
            JAVA_LONG.withName("ring_addr"), JAVA_INT.withName("ring_entries"), JAVA_SHORT.withName("bgid"),
            MemoryLayout.paddingLayout(2), MemoryLayout.sequenceLayout(3, JAVA_LONG).withName("resv"));

    /** {@code struct io_uring_buf}: one entry of a provided-buffer ring. */
    public static final StructLayout BUF = MemoryLayout.structLayout(
            JAVA_LONG.withName("addr"), JAVA_INT.withName("len"), JAVA_SHORT.withName("bid"),
            JAVA_SHORT.withName("resv"));

    /**
     * {@code struct io_uring_buf_ring}'s header: a union of the {@code bufs} array with a struct whose
     * {@code tail} overlays {@code bufs[0].resv}, so the ring is an array of {@link #BUF} whose first
     * entry also holds the tail.
     */
    public static final StructLayout BUF_RING = MemoryLayout.structLayout(
            JAVA_LONG.withName("resv1"), JAVA_INT.withName("resv2"), JAVA_SHORT.withName("resv3"),
            JAVA_SHORT.withName("tail"));

    // Offsets used on the hot path (checked against the layouts by the layout test).
    /** {@code sqe.opcode}. */
    public static final long SQE_OPCODE = 0;
    /** {@code sqe.flags}. */
    public static final long SQE_FLAGS = 1;
    /** {@code sqe.ioprio}. */
    public static final long SQE_IOPRIO = 2;
    /** {@code sqe.fd}. */
    public static final long SQE_FD = 4;
    /** {@code sqe.off} / {@code addr2}. */
    public static final long SQE_OFF = 8;
    /** {@code sqe.addr}. */
    public static final long SQE_ADDR = 16;
    /** {@code sqe.len}. */
    public static final long SQE_LEN = 24;
    /** {@code sqe.rw_flags} / {@code msg_flags} / {@code accept_flags} / {@code cancel_flags}. */
    public static final long SQE_OP_FLAGS = 28;
    /** {@code sqe.user_data}. */
    public static final long SQE_USER_DATA = 32;
    /** {@code sqe.buf_group} / {@code buf_index}. */
    public static final long SQE_BUF_GROUP = 40;
    /** Size of an SQE. */
    public static final long SQE_SIZE = 64;
    /** {@code cqe.user_data}. */
    public static final long CQE_USER_DATA = 0;
    /** {@code cqe.res}. */
    public static final long CQE_RES = 8;
    /** {@code cqe.flags}. */
    public static final long CQE_FLAGS = 12;
    /** Size of a CQE. */
    public static final long CQE_SIZE = 16;
    /** {@code io_uring_buf.addr}. */
    public static final long BUF_ADDR = 0;
    /** {@code io_uring_buf.len}. */
    public static final long BUF_LEN = 8;
    /** {@code io_uring_buf.bid}. */
    public static final long BUF_BID = 12;
    /** Size of an {@code io_uring_buf}. */
    public static final long BUF_SIZE = 16;
    /** {@code io_uring_buf_ring.tail}. */
    public static final long BUF_RING_TAIL = 14;
}
