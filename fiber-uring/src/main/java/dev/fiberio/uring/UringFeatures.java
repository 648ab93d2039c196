package dev.fiberio.uring;

import static dev.fiberio.uring.ffi.UringConstants.ENOSYS;
import static dev.fiberio.uring.ffi.UringConstants.IORING_FEAT_EXT_ARG;
import static dev.fiberio.uring.ffi.UringConstants.IORING_FEAT_NODROP;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_ACCEPT;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_ASYNC_CANCEL;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_CONNECT;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_POLL_ADD;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_READ;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_RECV;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OP_SEND;
import static dev.fiberio.uring.ffi.UringConstants.IORING_REGISTER_PBUF_RING;
import static dev.fiberio.uring.ffi.UringConstants.IORING_REGISTER_PROBE;
import static dev.fiberio.uring.ffi.UringConstants.IORING_UNREGISTER_PBUF_RING;
import static dev.fiberio.uring.ffi.UringConstants.IORING_SETUP_CLAMP;
import static dev.fiberio.uring.ffi.UringConstants.IORING_SETUP_COOP_TASKRUN;
import static dev.fiberio.uring.ffi.UringConstants.IORING_SETUP_CQSIZE;
import static dev.fiberio.uring.ffi.UringConstants.IORING_SETUP_SUBMIT_ALL;
import static dev.fiberio.uring.ffi.UringConstants.IO_URING_OP_SUPPORTED;
import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.fiberio.nativeio.ffi.Errno;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.uring.ffi.LibUring;
import dev.fiberio.uring.ffi.UringLayouts;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What this kernel's io_uring offers, probed once with a throw-away ring: the setup flags it accepts
 * (falling back flag by flag on EINVAL), its features (IORING_FEAT_EXT_ARG for a timed wait and
 * IORING_FEAT_NODROP are required) and, through IORING_REGISTER_PROBE, the opcodes fiber-uring uses.
 * If io_uring cannot be used, {@link #cause} says why: ENOSYS (no io_uring in this kernel), EPERM
 * (kernel.io_uring_disabled, or a seccomp profile such as Docker's default), a missing feature or opcode.
 */
final class UringFeatures {
    /** Defer the flush of a worker fiber's submissions to the ring's next poll ({@code fiberio.uring.deferSubmit}). */
    static final boolean DEFER_SUBMIT = Boolean.parseBoolean(System.getProperty("fiberio.uring.deferSubmit", "true"));
    private static final int[] REQUIRED_OPS = {IORING_OP_ACCEPT, IORING_OP_CONNECT, IORING_OP_RECV, IORING_OP_SEND,
        IORING_OP_ASYNC_CANCEL, IORING_OP_READ, IORING_OP_POLL_ADD};
    private static final String[] REQUIRED_NAMES = {"ACCEPT", "CONNECT", "RECV", "SEND", "ASYNC_CANCEL", "READ", "POLL_ADD"};

    final int setupFlags;
    final int sqEntries;
    final int cqEntries;
    final int features;
    final Throwable cause;
    /** IORING_REGISTER_PBUF_RING works (Linux 5.19): receives take buffers from a ring of the worker's. */
    final boolean providedBuffers;
    /** Why {@link #providedBuffers} is false (a registration error, or switched off), or null. */
    final String providedBuffersAbsent;
    /** IORING_ACCEPT_MULTISHOT (Linux 5.19): one accept request posts a completion per connection. */
    final boolean multishotAccept;

    private UringFeatures(int setupFlags, int sqEntries, int cqEntries, int features, Throwable cause,
                          String providedBuffersAbsent, boolean multishotAccept) {
        this.setupFlags = setupFlags;
        this.sqEntries = sqEntries;
        this.cqEntries = cqEntries;
        this.features = features;
        this.cause = cause;
        this.providedBuffers = cause == null && providedBuffersAbsent == null;
        this.providedBuffersAbsent = providedBuffersAbsent;
        this.multishotAccept = cause == null && multishotAccept;
    }

    private static final class Holder {
        static final UringFeatures PROBED = probe();
    }

    /** The probe's result (probed on first call). */
    static UringFeatures get() {
        return Holder.PROBED;
    }

    private static UringFeatures probe() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            return unavailable(new UnsupportedOperationException("io_uring needs Linux; this is " + System.getProperty("os.name")));
        }
        int sq = Integer.getInteger("fiberio.uring.entries", 256);
        int cq = Integer.getInteger("fiberio.uring.cqEntries", 8192);
        try {
            int flags = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN;
            // Owner: this call (confined arena): params and the probe are read back before it returns.
            try (Arena arena = Arena.ofConfined()) {
                for (int drop : new int[] {0, IORING_SETUP_COOP_TASKRUN, IORING_SETUP_SUBMIT_ALL}) {
                    flags &= ~drop;
                    MemorySegment params = arena.allocate(UringLayouts.PARAMS);
                    params.set(JAVA_INT, UringLayouts.PARAMS.byteOffset(groupElement("flags")), flags);
                    params.set(JAVA_INT, UringLayouts.PARAMS.byteOffset(groupElement("cq_entries")), cq);
                    int fd = LibUring.setup(sq, params);
                    if (fd == -Errno.EINVAL) {
                        continue;
                    }
                    if (fd < 0) {
                        return unavailable(setupFailure(-fd));
                    }
                    try {
                        int features = params.get(JAVA_INT, UringLayouts.PARAMS.byteOffset(groupElement("features")));
                        if ((features & IORING_FEAT_EXT_ARG) == 0 || (features & IORING_FEAT_NODROP) == 0) {
                            return unavailable(new UnsupportedOperationException(
                                    "io_uring is too old here: IORING_FEAT_EXT_ARG and IORING_FEAT_NODROP (Linux 5.11) are needed"));
                        }
                        String missing = missingOps(fd, arena);
                        if (missing != null) {
                            return unavailable(new UnsupportedOperationException("io_uring lacks " + missing + " here"));
                        }
                        return new UringFeatures(flags, sq, cq, features, null, probeProvidedBuffers(fd, arena),
                                multishotAccept());
                    } finally {
                        LibC.close(fd);
                    }
                }
                return unavailable(new UnsupportedOperationException("io_uring_setup refused every flag set (EINVAL)"));
            }
        } catch (Throwable t) {
            return unavailable(new UnsupportedOperationException("io_uring bindings failed to load: " + t, t));
        }
    }

    /** The ops this backend needs that IORING_REGISTER_PROBE does not list as supported, or null. */
    private static String missingOps(int fd, Arena arena) {
        int ops = 256;
        MemorySegment probe = arena.allocate(UringLayouts.PROBE.byteSize() + UringLayouts.PROBE_OP.byteSize() * ops, 8);
        int r = LibUring.register(fd, IORING_REGISTER_PROBE, probe, ops);
        if (r < 0) {
            return "IORING_REGISTER_PROBE (" + Errno.name(-r) + ")";
        }
        int len = Byte.toUnsignedInt(probe.get(JAVA_BYTE, UringLayouts.PROBE.byteOffset(groupElement("ops_len"))));
        StringBuilder missing = new StringBuilder();
        for (int i = 0; i < REQUIRED_OPS.length; i++) {
            int op = REQUIRED_OPS[i];
            boolean supported = op < len && (probe.get(JAVA_SHORT, UringLayouts.PROBE.byteSize()
                    + UringLayouts.PROBE_OP.byteSize() * op + 2) & IO_URING_OP_SUPPORTED) != 0;
            if (!supported) {
                missing.append(missing.isEmpty() ? "" : ", ").append("IORING_OP_").append(REQUIRED_NAMES[i]);
            }
        }
        return missing.isEmpty() ? null : missing.toString();
    }

    /**
     * Registers and unregisters a one-entry provided-buffer ring on the probe ring.
     *
     * @return null if it works, else why not
     */
    private static String probeProvidedBuffers(int fd, Arena arena) {
        if (!BufferRing.ENABLED) {
            return "switched off (fiberio.uring.providedBuffers=false)";
        }
        MemorySegment bufRing = arena.allocate(UringLayouts.BUF_SIZE, BufferRing.RING_ALIGNMENT);
        MemorySegment reg = arena.allocate(UringLayouts.BUF_REG);
        reg.set(JAVA_LONG, UringLayouts.BUF_REG.byteOffset(groupElement("ring_addr")), bufRing.address());
        reg.set(JAVA_INT, UringLayouts.BUF_REG.byteOffset(groupElement("ring_entries")), 1);
        reg.set(JAVA_SHORT, UringLayouts.BUF_REG.byteOffset(groupElement("bgid")), (short) BufferRing.GROUP);
        int r = LibUring.register(fd, IORING_REGISTER_PBUF_RING, reg, 1);
        if (r < 0) {
            return "IORING_REGISTER_PBUF_RING failed: " + Errno.name(-r);
        }
        LibUring.register(fd, IORING_UNREGISTER_PBUF_RING, reg, 1);
        return null;
    }

    /**
     * Whether multishot accept can be used: IORING_REGISTER_PROBE lists opcodes, not their flags, and an
     * older kernel would fail the first accept with EINVAL, so the kernel release decides (5.19 added
     * it); {@code fiberio.uring.multishotAccept=false} switches it off.
     */
    private static boolean multishotAccept() {
        if (!Boolean.parseBoolean(System.getProperty("fiberio.uring.multishotAccept", "true"))) {
            return false;
        }
        return atLeast(System.getProperty("os.version", ""), 5, 19);
    }

    /** Whether a Linux release string ({@code 6.18.44-...}) is at least {@code major.minor}. */
    static boolean atLeast(String release, int major, int minor) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(release);
        if (!m.find()) {
            return false;
        }
        int ma = Integer.parseInt(m.group(1));
        int mi = Integer.parseInt(m.group(2));
        return ma > major || (ma == major && mi >= minor);
    }

    private static Throwable setupFailure(int errno) {
        if (errno == ENOSYS) {
            return new UnsupportedOperationException("this kernel has no io_uring (io_uring_setup: ENOSYS)");
        }
        if (errno == Errno.EPERM || errno == Errno.EACCES) {
            String disabled = sysctl();
            if (disabled != null && !disabled.equals("0")) {
                return new UnsupportedOperationException("io_uring is disabled: kernel.io_uring_disabled=" + disabled
                        + " (io_uring_setup: " + Errno.name(errno) + ")");
            }
            return new UnsupportedOperationException("io_uring is not permitted (io_uring_setup: " + Errno.name(errno)
                    + "): a seccomp profile blocks it (Docker's default does), or kernel.io_uring_disabled restricts it to a group");
        }
        return new UnsupportedOperationException("io_uring_setup failed: " + Errno.name(errno));
    }

    private static String sysctl() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/io_uring_disabled")).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static UringFeatures unavailable(Throwable cause) {
        return new UringFeatures(0, 0, 0, 0, cause, "io_uring unavailable", false);
    }

    @Override
    public String toString() {
        if (cause != null) {
            return "UringFeatures[unavailable: " + cause.getMessage() + "]";
        }
        return "UringFeatures[setupFlags=0x" + Integer.toHexString(setupFlags) + ", features=0x"
                + Integer.toHexString(features) + ", receive="
                + (providedBuffers ? "provided-buffer ring" : "per-socket buffer (" + providedBuffersAbsent + ")")
                + ", accept=" + (multishotAccept ? "multishot" : "one-shot") + "]";
    }
}
