package dev.fiberio.nativeio.ffi;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles a C program with the system's gcc that prints every constant, struct size, alignment,
 * member offset and member size the Java side defines, and compares each with the Java value
 * ({@link CHeaders}).
 *
 * <p>Constants are found by reflection (every {@code static final int/long} of {@link
 * LinuxConstants} and {@link Errno}, whose names are the C macro names), structs through their
 * {@link java.lang.foreign.GroupLayout}s (whose member names are the C field names), so a new
 * constant or field is checked without touching this test. gcc missing is a failure, not a skip.
 */
@ExtendWith(FdCountCheck.class)
class LinuxPlatformValuesTest {

    private static final String HEADERS = """
            #define _GNU_SOURCE
            #include <errno.h>
            #include <fcntl.h>
            #include <netinet/in.h>
            #include <netinet/tcp.h>
            #include <stddef.h>
            #include <stdio.h>
            #include <sys/epoll.h>
            #include <sys/eventfd.h>
            #include <sys/resource.h>
            #include <sys/socket.h>
            #include <sys/uio.h>
            #include <sys/un.h>
            """;

    @Test
    void everyJavaConstantAndLayoutMatchesTheCHeaders(@TempDir Path dir) throws Exception {
        CHeaders c = new CHeaders(HEADERS);
        int constants = c.addConstants(LinuxConstants.class) + c.addConstants(Errno.class);
        assertTrue(constants >= 70, "reflection found only " + constants + " constants");
        c.addStruct("struct sockaddr_in", SockAddr.IN_LAYOUT);
        c.addStruct("struct sockaddr_in6", SockAddr.IN6_LAYOUT);
        c.addStruct("struct sockaddr_storage", SockAddr.STORAGE_LAYOUT);
        c.addStruct("struct linger", Linger.LAYOUT);
        c.addStruct("struct rlimit", RLimit.LAYOUT);
        c.addStruct("struct iovec", IoVec.LAYOUT);
        c.addStruct("struct msghdr", MsgHdr.LAYOUT);
        c.add("MsgHdr.SIZE", "sizeof(struct msghdr)", MsgHdr.SIZE);
        c.addStruct("struct sockaddr_un", SockAddr.UN_LAYOUT);
        c.add("SockAddr.UNIX_PATH_SIZE", "sizeof(((struct sockaddr_un *) 0)->sun_path)", SockAddr.UNIX_PATH_SIZE);
        c.addStruct("struct ip_mreqn", MulticastRequest.IP_MREQN_LAYOUT);
        c.addStruct("struct ipv6_mreq", MulticastRequest.IPV6_MREQ_LAYOUT);
        c.add("SockAddr.STORAGE_SIZE", "sizeof(struct sockaddr_storage)", SockAddr.STORAGE_SIZE);
        c.add("IoVec.SIZE", "sizeof(struct iovec)", IoVec.SIZE);
        c.verify(dir);
    }
}
