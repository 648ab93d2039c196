package dev.fiberio.epoll.ffi;

import dev.fiberio.nativeio.ffi.CHeaders;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code struct epoll_event} against {@code <sys/epoll.h>}, compiled with gcc ({@link CHeaders}). */
class EpollLayoutTest {

    @Test
    void epollEventMatchesTheCHeader(@TempDir Path dir) throws Exception {
        CHeaders c = new CHeaders("""
                #include <stddef.h>
                #include <stdio.h>
                #include <sys/epoll.h>
                """);
        c.addStruct("struct epoll_event", EpollEvent.LAYOUT);
        c.add("EpollEvent.SIZE", "sizeof(struct epoll_event)", EpollEvent.SIZE);
        c.add("EpollEvent.DATA_OFFSET", "offsetof(struct epoll_event, data)", EpollEvent.DATA_OFFSET);
        c.verify(dir);
    }
}
