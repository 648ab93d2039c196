package dev.fiberio.uring.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.nativeio.ffi.CHeaders;
import java.lang.foreign.MemoryLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every constant of {@link UringConstants}, every struct of {@link UringLayouts} and the hot-path SQE/CQE
 * offsets against {@code <linux/io_uring.h>}, {@code <sys/syscall.h>} and {@code <errno.h>}, compiled
 * with gcc ({@link CHeaders}).
 */
class UringLayoutTest {

    @Test
    void constantsAndLayoutsMatchTheKernelHeader(@TempDir Path dir) throws Exception {
        CHeaders c = new CHeaders("""
                #define _GNU_SOURCE
                #include <errno.h>
                #include <poll.h>
                #include <stddef.h>
                #include <stdio.h>
                #include <sys/syscall.h>
                #include <linux/io_uring.h>
                #include <linux/time_types.h>
                """);
        int constants = c.addConstants(UringConstants.class);
        assertTrue(constants >= 30, "reflection found only " + constants + " constants");
        c.addStruct("struct io_sqring_offsets", UringLayouts.SQ_OFFSETS);
        c.addStruct("struct io_cqring_offsets", UringLayouts.CQ_OFFSETS);
        c.addStruct("struct io_uring_params", UringLayouts.PARAMS);
        c.addStruct("struct io_uring_sqe", UringLayouts.SQE);
        c.addStruct("struct io_uring_cqe", UringLayouts.CQE);
        c.addStruct("struct io_uring_getevents_arg", UringLayouts.GETEVENTS_ARG);
        c.addStruct("struct __kernel_timespec", UringLayouts.KERNEL_TIMESPEC);
        c.addStruct("struct io_uring_probe", UringLayouts.PROBE);
        c.addStruct("struct io_uring_probe_op", UringLayouts.PROBE_OP);
        c.addStruct("struct io_uring_buf_reg", UringLayouts.BUF_REG);
        c.addStruct("struct io_uring_buf", UringLayouts.BUF);
        c.addStruct("struct io_uring_buf_ring", UringLayouts.BUF_RING);
        c.add("BUF_ADDR", "offsetof(struct io_uring_buf, addr)", UringLayouts.BUF_ADDR);
        c.add("BUF_LEN", "offsetof(struct io_uring_buf, len)", UringLayouts.BUF_LEN);
        c.add("BUF_BID", "offsetof(struct io_uring_buf, bid)", UringLayouts.BUF_BID);
        c.add("BUF_SIZE", "sizeof(struct io_uring_buf)", UringLayouts.BUF_SIZE);
        c.add("BUF_RING_TAIL", "offsetof(struct io_uring_buf_ring, tail)", UringLayouts.BUF_RING_TAIL);
        c.add("BUF_RING_BUFS", "offsetof(struct io_uring_buf_ring, bufs)", 0);
        c.add("SQE_BUF_GROUP", "offsetof(struct io_uring_sqe, buf_group)", UringLayouts.SQE_BUF_GROUP);
        c.add("SQE_BUF_INDEX", "offsetof(struct io_uring_sqe, buf_index)", UringLayouts.SQE_BUF_GROUP);
        c.add("SQE_SIZE", "sizeof(struct io_uring_sqe)", UringLayouts.SQE_SIZE);
        c.add("CQE_SIZE", "sizeof(struct io_uring_cqe)", UringLayouts.CQE_SIZE);
        c.add("SQE_OPCODE", "offsetof(struct io_uring_sqe, opcode)", UringLayouts.SQE_OPCODE);
        c.add("SQE_FLAGS", "offsetof(struct io_uring_sqe, flags)", UringLayouts.SQE_FLAGS);
        c.add("SQE_IOPRIO", "offsetof(struct io_uring_sqe, ioprio)", UringLayouts.SQE_IOPRIO);
        c.add("SQE_FD", "offsetof(struct io_uring_sqe, fd)", UringLayouts.SQE_FD);
        c.add("SQE_OFF", "offsetof(struct io_uring_sqe, off)", UringLayouts.SQE_OFF);
        c.add("SQE_ADDR2", "offsetof(struct io_uring_sqe, addr2)", UringLayouts.SQE_OFF);
        c.add("SQE_ADDR", "offsetof(struct io_uring_sqe, addr)", UringLayouts.SQE_ADDR);
        c.add("SQE_LEN", "offsetof(struct io_uring_sqe, len)", UringLayouts.SQE_LEN);
        c.add("SQE_MSG_FLAGS", "offsetof(struct io_uring_sqe, msg_flags)", UringLayouts.SQE_OP_FLAGS);
        c.add("SQE_ACCEPT_FLAGS", "offsetof(struct io_uring_sqe, accept_flags)", UringLayouts.SQE_OP_FLAGS);
        c.add("SQE_CANCEL_FLAGS", "offsetof(struct io_uring_sqe, cancel_flags)", UringLayouts.SQE_OP_FLAGS);
        c.add("SQE_POLL32_EVENTS", "offsetof(struct io_uring_sqe, poll32_events)", UringLayouts.SQE_OP_FLAGS);
        c.add("SQE_USER_DATA", "offsetof(struct io_uring_sqe, user_data)", UringLayouts.SQE_USER_DATA);
        c.add("CQE_USER_DATA", "offsetof(struct io_uring_cqe, user_data)", UringLayouts.CQE_USER_DATA);
        c.add("CQE_RES", "offsetof(struct io_uring_cqe, res)", UringLayouts.CQE_RES);
        c.add("CQE_FLAGS", "offsetof(struct io_uring_cqe, flags)", UringLayouts.CQE_FLAGS);
        c.verify(dir);
    }

    @Test
    void hotPathOffsetsAgreeWithTheLayouts() {
        assertEquals(UringLayouts.SQE.byteOffset(MemoryLayout.PathElement.groupElement("user_data")), UringLayouts.SQE_USER_DATA);
        assertEquals(UringLayouts.SQE.byteOffset(MemoryLayout.PathElement.groupElement("rw_flags")), UringLayouts.SQE_OP_FLAGS);
        assertEquals(UringLayouts.CQE.byteSize(), UringLayouts.CQE_SIZE);
        assertEquals(UringLayouts.SQE.byteSize(), UringLayouts.SQE_SIZE);
        assertEquals(UringLayouts.SQE.byteOffset(MemoryLayout.PathElement.groupElement("buf_index")), UringLayouts.SQE_BUF_GROUP);
        assertEquals(UringLayouts.BUF.byteSize(), UringLayouts.BUF_SIZE);
        assertEquals(UringLayouts.BUF.byteOffset(MemoryLayout.PathElement.groupElement("bid")), UringLayouts.BUF_BID);
        assertEquals(UringLayouts.BUF.byteOffset(MemoryLayout.PathElement.groupElement("len")), UringLayouts.BUF_LEN);
        assertEquals(UringLayouts.BUF_RING.byteOffset(MemoryLayout.PathElement.groupElement("tail")), UringLayouts.BUF_RING_TAIL);
    }
}
