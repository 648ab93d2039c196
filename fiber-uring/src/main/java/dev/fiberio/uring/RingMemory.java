package dev.fiberio.uring;

import static dev.fiberio.uring.ffi.UringConstants.IORING_FEAT_SINGLE_MMAP;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OFF_CQ_RING;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OFF_SQES;
import static dev.fiberio.uring.ffi.UringConstants.IORING_OFF_SQ_RING;
import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.fiberio.nativeio.ffi.Errno;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.uring.ffi.LibUring;
import dev.fiberio.uring.ffi.UringLayouts;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The memory of one ring: its descriptor from {@code io_uring_setup} and the three regions mapped from
 * it (SQ ring, CQ ring — one mapping with IORING_FEAT_SINGLE_MMAP — and the SQE array), with slices for
 * the head, tail, mask and flags words. Owned by its {@link Ring}, which unmaps it after the last user
 * of the descriptor left.
 */
final class RingMemory {
    final int fd;
    final int sqEntries;
    final int sqMask;
    final int cqMask;
    final MemorySegment sqHead;
    final MemorySegment sqTail;
    final MemorySegment sqFlags;
    final MemorySegment sqes;
    final MemorySegment cqHead;
    final MemorySegment cqTail;
    final MemorySegment cqes;
    private final MemorySegment sqRing;
    private final MemorySegment cqRing;

    private RingMemory(int fd, MemorySegment params, MemorySegment sqRing, MemorySegment cqRing, MemorySegment sqes) {
        this.fd = fd;
        this.sqRing = sqRing;
        this.cqRing = cqRing;
        this.sqes = sqes;
        sqEntries = intAt(params, "sq_entries");
        long sq = UringLayouts.PARAMS.byteOffset(groupElement("sq_off"));
        long cq = UringLayouts.PARAMS.byteOffset(groupElement("cq_off"));
        sqHead = sqRing.asSlice(off(params, sq, "head"), 4);
        sqTail = sqRing.asSlice(off(params, sq, "tail"), 4);
        sqMask = sqRing.get(JAVA_INT, off(params, sq, "ring_mask"));
        sqFlags = sqRing.asSlice(off(params, sq, "flags"), 4);
        MemorySegment array = sqRing.asSlice(off(params, sq, "array"), 4L * sqEntries);
        for (int i = 0; i < sqEntries; i++) {
            array.setAtIndex(JAVA_INT, i, i); // identity: SQE i is submitted from slot i
        }
        int cqEntries = intAt(params, "cq_entries");
        cqHead = cqRing.asSlice(off(params, cq, "head"), 4);
        cqTail = cqRing.asSlice(off(params, cq, "tail"), 4);
        cqMask = cqRing.get(JAVA_INT, off(params, cq, "ring_mask"));
        cqes = cqRing.asSlice(off(params, cq, "cqes"), UringLayouts.CQE_SIZE * cqEntries);
    }

    private static int intAt(MemorySegment params, String name) {
        return params.get(JAVA_INT, UringLayouts.PARAMS.byteOffset(groupElement(name)));
    }

    private static long off(MemorySegment params, long base, String name) {
        java.lang.foreign.StructLayout l = base == UringLayouts.PARAMS.byteOffset(groupElement("sq_off"))
                ? UringLayouts.SQ_OFFSETS : UringLayouts.CQ_OFFSETS;
        return Integer.toUnsignedLong(params.get(JAVA_INT, base + l.byteOffset(groupElement(name))));
    }

    /**
     * Sets up a ring with the probed flags and maps it.
     *
     * @param features the kernel's features
     * @return the mapped ring
     * @throws IOException if setup or a mapping failed (nothing stays open then)
     */
    static RingMemory create(UringFeatures features) throws IOException {
        // Owner: this call (confined arena): the kernel reads and writes params only during setup.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(UringLayouts.PARAMS);
            params.set(JAVA_INT, UringLayouts.PARAMS.byteOffset(groupElement("flags")), features.setupFlags);
            params.set(JAVA_INT, UringLayouts.PARAMS.byteOffset(groupElement("cq_entries")), features.cqEntries);
            int fd = LibUring.setup(features.sqEntries, params);
            if (fd < 0) {
                throw Errno.toException("io_uring_setup", -fd);
            }
            return map(fd, params);
        }
    }

    private static RingMemory map(int fd, MemorySegment params) throws IOException {
        long sq = UringLayouts.PARAMS.byteOffset(groupElement("sq_off"));
        long cq = UringLayouts.PARAMS.byteOffset(groupElement("cq_off"));
        int sqEntries = intAt(params, "sq_entries");
        int cqEntries = intAt(params, "cq_entries");
        long sqSize = off(params, sq, "array") + 4L * sqEntries;
        long cqSize = off(params, cq, "cqes") + UringLayouts.CQE_SIZE * cqEntries;
        boolean single = (intAt(params, "features") & IORING_FEAT_SINGLE_MMAP) != 0;
        if (single) {
            sqSize = cqSize = Math.max(sqSize, cqSize);
        }
        MemorySegment sqRing = LibUring.mmap(fd, sqSize, IORING_OFF_SQ_RING);
        if (LibUring.failed(sqRing)) {
            LibC.close(fd);
            throw Errno.toException("mmap(SQ ring)", (int) -sqRing.address());
        }
        sqRing = sqRing.reinterpret(sqSize);
        MemorySegment cqRing = sqRing;
        if (!single) {
            cqRing = LibUring.mmap(fd, cqSize, IORING_OFF_CQ_RING);
            if (LibUring.failed(cqRing)) {
                LibUring.munmap(sqRing, sqSize);
                LibC.close(fd);
                throw Errno.toException("mmap(CQ ring)", (int) -cqRing.address());
            }
            cqRing = cqRing.reinterpret(cqSize);
        }
        long sqesSize = UringLayouts.SQE_SIZE * sqEntries;
        MemorySegment sqes = LibUring.mmap(fd, sqesSize, IORING_OFF_SQES);
        if (LibUring.failed(sqes)) {
            LibUring.munmap(sqRing, sqSize);
            if (cqRing != sqRing) {
                LibUring.munmap(cqRing, cqSize);
            }
            LibC.close(fd);
            throw Errno.toException("mmap(SQEs)", (int) -sqes.address());
        }
        return new RingMemory(fd, params, sqRing, cqRing, sqes.reinterpret(sqesSize));
    }

    /** Unmaps the regions (the descriptor is closed by its owner). */
    void unmap() {
        LibUring.munmap(sqes, sqes.byteSize());
        if (cqRing != sqRing) {
            LibUring.munmap(cqRing, cqRing.byteSize());
        }
        LibUring.munmap(sqRing, sqRing.byteSize());
    }

    /** Unmaps and closes: for a ring that never got an owner. */
    void free() {
        unmap();
        LibC.close(fd);
    }
}
