package dev.fiberio.uring.ffi;

/**
 * io_uring constants from {@code <linux/io_uring.h>} and the system call numbers from
 * {@code <sys/syscall.h>}; each name is the C name, so {@code UringLayoutTest} checks every value
 * against the headers with gcc.
 */
public final class UringConstants {
    private UringConstants() {
    }

    // --- system calls (x86_64 and the asm-generic table agree on these) ---
    /** io_uring_setup(2). */
    public static final int __NR_io_uring_setup = 425;
    /** io_uring_enter(2). */
    public static final int __NR_io_uring_enter = 426;
    /** io_uring_register(2). */
    public static final int __NR_io_uring_register = 427;

    // --- setup flags ---
    /** cq_entries in the params sets the CQ size. */
    public static final int IORING_SETUP_CQSIZE = 1 << 3;
    /** Clamp the SQ/CQ sizes to the maximum instead of failing. */
    public static final int IORING_SETUP_CLAMP = 1 << 4;
    /** Keep submitting a batch after one SQE failed at submission. */
    public static final int IORING_SETUP_SUBMIT_ALL = 1 << 7;
    /** Run completion task work when the task enters the kernel, without an interrupt. */
    public static final int IORING_SETUP_COOP_TASKRUN = 1 << 8;

    // --- features reported by setup ---
    /** SQ and CQ rings share one mmap. */
    public static final int IORING_FEAT_SINGLE_MMAP = 1;
    /** The kernel keeps overflowing completions instead of dropping them. */
    public static final int IORING_FEAT_NODROP = 1 << 1;
    /** io_uring_enter takes IORING_ENTER_EXT_ARG (a timeout). */
    public static final int IORING_FEAT_EXT_ARG = 1 << 8;

    // --- mmap offsets ---
    /** mmap offset of the SQ ring. */
    public static final long IORING_OFF_SQ_RING = 0L;
    /** mmap offset of the CQ ring. */
    public static final long IORING_OFF_CQ_RING = 0x8000000L;
    /** mmap offset of the SQE array. */
    public static final long IORING_OFF_SQES = 0x10000000L;

    // --- io_uring_enter flags ---
    /** Wait for completions. */
    public static final int IORING_ENTER_GETEVENTS = 1;
    /** The argument is a struct io_uring_getevents_arg. */
    public static final int IORING_ENTER_EXT_ARG = 1 << 3;

    // --- SQ ring flags ---
    /** The CQ ring overflowed: completions wait in the kernel's overflow list. */
    public static final int IORING_SQ_CQ_OVERFLOW = 1 << 1;

    // --- opcodes (enum io_uring_op) ---
    /** No operation. */
    public static final int IORING_OP_NOP = 0;
    /** readv. */
    public static final int IORING_OP_READV = 1;
    /** writev. */
    public static final int IORING_OP_WRITEV = 2;
    /** A one-shot poll for the events in {@code poll32_events}; the result is the events that occurred. */
    public static final int IORING_OP_POLL_ADD = 6;
    /** sendmsg (a datagram with its destination). */
    public static final int IORING_OP_SENDMSG = 9;
    /** recvmsg (a datagram with its sender and MSG_TRUNC). */
    public static final int IORING_OP_RECVMSG = 10;
    /** accept4. */
    public static final int IORING_OP_ACCEPT = 13;
    /** A timeout: completes with -ETIME after the relative time in the timespec at {@code addr} (read at submission). */
    public static final int IORING_OP_TIMEOUT = 11;
    /** Remove a timeout by its {@code user_data} (in {@code addr}). */
    public static final int IORING_OP_TIMEOUT_REMOVE = 12;
    /** Cancel a request. */
    public static final int IORING_OP_ASYNC_CANCEL = 14;
    /** connect. */
    public static final int IORING_OP_CONNECT = 16;
    /** close. */
    public static final int IORING_OP_CLOSE = 19;
    /** read. */
    public static final int IORING_OP_READ = 22;
    /** send. */
    public static final int IORING_OP_SEND = 26;
    /** recv. */
    public static final int IORING_OP_RECV = 27;
    /** shutdown. */
    public static final int IORING_OP_SHUTDOWN = 34;
    /** Message another ring. */
    public static final int IORING_OP_MSG_RING = 40;

    // --- SQE flags ---
    /** The kernel picks the buffer from the group in {@code buf_group} (a provided-buffer ring). */
    public static final int IOSQE_BUFFER_SELECT = 1 << 5;
    /** Post no completion for a successful request. */
    public static final int IOSQE_CQE_SKIP_SUCCESS = 1 << 6;

    // --- poll events (poll.h), for IORING_OP_POLL_ADD ---
    /** Data to read, or the end of the stream (an error or hang-up is always reported). */
    public static final int POLLIN = 0x001;

    // --- CQE flags ---
    /** The completion used a provided buffer, whose id is in the upper 16 bits of the flags. */
    public static final int IORING_CQE_F_BUFFER = 1;
    /** Shift of the buffer id in the CQE flags. */
    public static final int IORING_CQE_BUFFER_SHIFT = 16;
    /** More completions will follow for this request (multishot). */
    public static final int IORING_CQE_F_MORE = 1 << 1;

    // --- accept and cancel flags ---
    /** Multishot accept (in ioprio). */
    public static final int IORING_ACCEPT_MULTISHOT = 1;
    /** Cancel every request that matches. */
    public static final int IORING_ASYNC_CANCEL_ALL = 1;

    // --- io_uring_register opcodes ---
    /** Report the supported opcodes. */
    public static final int IORING_REGISTER_PROBE = 8;
    /** Register a ring of provided buffers (struct io_uring_buf_reg; Linux 5.19). */
    public static final int IORING_REGISTER_PBUF_RING = 22;
    /** Unregister a ring of provided buffers by its group id. */
    public static final int IORING_UNREGISTER_PBUF_RING = 23;
    /** Probe flag: the opcode is supported. */
    public static final int IO_URING_OP_SUPPORTED = 1;

    // --- errno values io_uring reports that LibC's Errno does not name ---
    /** Operation canceled: the result of a cancelled request. */
    public static final int ECANCELED = 125;
    /** Timer expired: io_uring_enter's wait reached its timeout. */
    public static final int ETIME = 62;
    /** Function not implemented: a kernel without io_uring. */
    public static final int ENOSYS = 38;
    /** No such entity: a cancel that found nothing. */
    public static final int ENOENT = 2;
    /** Operation already in progress: a cancel that found the request running. */
    public static final int EALREADY = 114;
    /** Device or resource busy: io_uring_enter while completions overflow. */
    public static final int EBUSY = 16;
}
