package dev.fiberio.nativeio.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

/**
 * What one test opened: its fds, and a confined arena for its native memory. A test class calls
 * {@link #closeAll()} from {@code @AfterEach}, so everything is released even when an assertion
 * fails halfway.
 */
public final class TestResources {

    /** A fresh set of resources for one test. */
    public TestResources() {
    }

    private final List<Integer> fds = new ArrayList<>();
    private final Arena arena = Arena.ofConfined();

    /** The arena that owns this test's native memory; closed by {@link #closeAll()}. */
    public Arena arena() {
        return arena;
    }

    /**
     * Checks that a call that creates an fd succeeded and remembers the fd.
     *
     * @param result the wrapper's result: an fd or {@code -errno}
     * @param what the call, for the failure message
     * @return the fd
     */
    public int add(int result, String what) {
        assertTrue(result >= 0, () -> what + " failed: " + Errno.name(-result));
        fds.add(result);
        return result;
    }

    /** Closes one remembered fd now, asserting that close succeeds. */
    public void close(int fd) {
        assertTrue(fds.remove(Integer.valueOf(fd)), "fd " + fd + " is not open");
        assertEquals(0, LibC.close(fd), "close(" + fd + ")");
    }

    /** Closes every remembered fd (newest first) and the arena, then asserts that each close succeeded. */
    public void closeAll() {
        List<String> failures = new ArrayList<>();
        for (int i = fds.size() - 1; i >= 0; i--) {
            int fd = fds.get(i);
            int r = LibC.close(fd);
            if (r != 0) {
                failures.add("close(" + fd + ") = " + Errno.name(-r));
            }
        }
        fds.clear();
        arena.close();
        assertTrue(failures.isEmpty(), () -> String.join(", ", failures));
    }
}
