package dev.fiberio.iocp;

import dev.fiberio.net.SocketSuite;
import dev.fiberio.net.spi.NetProvider;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The shared socket suite against the real IOCP backend ({@code Win32Native}: ws2_32.dll and
 * kernel32.dll). Runs on Windows only, in the Windows CI job; elsewhere JUnit reports it as not
 * applicable to this OS.
 */
@EnabledOnOs(OS.WINDOWS)
class IocpSocketSuiteTest extends SocketSuite {
    private static final NetProvider IOCP = new IocpNetProvider();

    @Override
    protected NetProvider provider() {
        return IOCP;
    }

    @Override
    protected boolean awaitsReadableWithoutABuffer() {
        return true;
    }
}
