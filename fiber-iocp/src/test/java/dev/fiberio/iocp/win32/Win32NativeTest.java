package dev.fiberio.iocp.win32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Win32Native loads anywhere, refuses politely off Windows, and its signatures are linkable. */
class Win32NativeTest {

    @Test
    void loadNeedsWindows() {
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        if (windows) {
            Win32Native win32 = Win32Native.load();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment wsaData = arena.allocate(WsaData.LAYOUT);
                assertEquals(0, win32.wsaStartup(Win32Constants.WINSOCK_VERSION_2_2, wsaData));
                assertEquals(Win32Constants.WINSOCK_VERSION_2_2, WsaData.version(wsaData));
                assertEquals(0, win32.wsaCleanup());
            }
        } else {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, Win32Native::load);
            assertTrue(e.getMessage().contains("needs Windows"), e.getMessage());
        }
    }

    @Test
    @SuppressWarnings("restricted")
    void everySignatureLinksWithACaptureState() {
        Linker linker = Linker.nativeLinker();
        for (Win32Function function : Win32Function.values()) {
            MethodHandle handle = linker.downcallHandle(function.descriptor(), Linker.Option.captureCallState("errno"));
            // address + capture segment + the function's own arguments
            assertEquals(function.descriptor().argumentLayouts().size() + 2, handle.type().parameterCount(),
                    function.symbol());
        }
    }
}
