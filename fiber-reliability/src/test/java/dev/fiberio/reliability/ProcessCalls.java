package dev.fiberio.reliability;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

/**
 * Two C library calls the fd-safety tests need and fiberio does not bind: {@code system(3)}, which
 * starts a shell with posix_spawn and, unlike {@link ProcessBuilder} (whose child closes every
 * descriptor above 2 before exec), lets it inherit every descriptor not marked close-on-exec; and
 * {@code dup(2)}, to keep an open file description alive after its first descriptor is closed.
 */
final class ProcessCalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SYSTEM = link("system", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle DUP = link("dup", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private ProcessCalls() {
    }

    @SuppressWarnings("restricted")
    private static MethodHandle link(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor);
    }

    /**
     * Runs {@code command} with {@code /bin/sh -c} in a child that inherits this process's descriptors.
     *
     * @param command the shell command
     * @return its wait status (0 on success)
     */
    static int system(String command) {
        try (Arena arena = Arena.ofConfined()) { // owner: this call; frees the C string when it returns
            return (int) SYSTEM.invokeExact(arena.allocateFrom(command));
        } catch (Throwable t) {
            throw new AssertionError("system(3) failed", t);
        }
    }

    /**
     * A second descriptor for the open file of {@code fd} ({@code dup(2)}, without close-on-exec).
     *
     * @param fd an open descriptor
     * @return the new descriptor, or -1
     */
    static int dup(int fd) {
        try {
            return (int) DUP.invokeExact(fd);
        } catch (Throwable t) {
            throw new AssertionError("dup(2) failed", t);
        }
    }
}
