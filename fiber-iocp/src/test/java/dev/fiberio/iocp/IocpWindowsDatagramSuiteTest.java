package dev.fiberio.iocp;

import dev.fiberio.net.DatagramSuite;
import dev.fiberio.net.spi.NetProvider;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The shared datagram suite against the real IOCP backend ({@code Win32Native}: WSARecvFrom and
 * WSASendTo in ws2_32.dll). Runs on Windows only, in the Windows CI job's step 2; elsewhere JUnit
 * reports it as not applicable to this OS ({@link IocpDatagramSuiteTest} runs the suite on the fake).
 */
@EnabledOnOs(OS.WINDOWS)
class IocpWindowsDatagramSuiteTest extends DatagramSuite {
    private static final NetProvider IOCP = new IocpNetProvider();

    @Override
    protected NetProvider provider() {
        return IOCP;
    }
}
