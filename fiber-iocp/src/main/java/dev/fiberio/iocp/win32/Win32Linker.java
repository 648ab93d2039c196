package dev.fiberio.iocp.win32;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Links {@link Win32Function}s to downcall method handles that capture the error state.
 *
 * <p>Every handle takes the capture segment (see {@link CallState}) as its first argument, then the
 * function's own arguments. Exported functions are found in ws2_32.dll / kernel32.dll; extension
 * functions are linked to the pointer WSAIoctl returned, with
 * {@link Linker#downcallHandle(MemorySegment, java.lang.foreign.FunctionDescriptor, Linker.Option...)}.
 * Tests link the same functions to upcall stubs with an {@code errno} capture, which is why the
 * lookups and the capture option are parameters.
 */
final class Win32Linker {

    /** Name of the GetLastError member of the Windows capture-state layout. */
    static final String GET_LAST_ERROR = "GetLastError";
    /** Name of the WSAGetLastError member of the Windows capture-state layout. */
    static final String WSA_GET_LAST_ERROR = "WSAGetLastError";

    private final Linker linker;
    private final SymbolLookup ws2_32;
    private final SymbolLookup kernel32;
    private final Linker.Option captureState;

    Win32Linker(Linker linker, SymbolLookup ws2_32, SymbolLookup kernel32, Linker.Option captureState) {
        this.linker = linker;
        this.ws2_32 = ws2_32;
        this.kernel32 = kernel32;
        this.captureState = captureState;
    }

    /**
     * The real DLLs. Windows only. Restricted (native access): applications run with
     * {@code --enable-native-access=ALL-UNNAMED}, as the README says.
     */
    @SuppressWarnings("restricted")
    static Win32Linker windows() {
        // Both DLLs stay loaded for the life of the process: the global arena is never closed,
        // because the method handles linked from them may be called at any time. The names go to
        // LoadLibrary, which appends ".dll" to a name without an extension.
        Arena forever = Arena.global();
        return new Win32Linker(Linker.nativeLinker(),
                SymbolLookup.libraryLookup("ws2_32", forever),
                SymbolLookup.libraryLookup("kernel32", forever),
                Linker.Option.captureCallState(GET_LAST_ERROR, WSA_GET_LAST_ERROR));
    }

    /** The downcall for an exported function. */
    MethodHandle downcall(Win32Function function) {
        SymbolLookup lookup = switch (function.library()) {
            case WS2_32 -> ws2_32;
            case KERNEL32 -> kernel32;
            case EXTENSION -> throw new IllegalArgumentException(function + " is loaded with WSAIoctl");
        };
        MemorySegment address = lookup.find(function.symbol()).orElseThrow(() ->
                new UnsupportedOperationException(function.symbol() + " not found in " + function.library()));
        return downcall(function, address);
    }

    /** The downcall for a function at a known address (an extension function pointer). Restricted, as above. */
    @SuppressWarnings("restricted")
    MethodHandle downcall(Win32Function function, MemorySegment address) {
        return linker.downcallHandle(address, function.descriptor(), captureState);
    }
}
