package dev.fiberio.iocp;

import static dev.fiberio.core.TestSchedulers.awaitCondition;

import dev.fiberio.net.DatagramSuite;
import dev.fiberio.net.spi.NetProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;

/**
 * The shared datagram suite against the IOCP provider on the in-memory {@link dev.fiberio.iocp.win32.FakeWin32}:
 * WSARecvFrom/WSASendTo on the sockets' records, the poller threads, truncation, timeouts (CancelIoEx,
 * then the completion awaited), close and cancellation run for real; only the kernel is simulated
 * (what the fake models of UDP is listed on {@code FakeWin32}). After each test every operation
 * record must have been released (the fake opens no descriptors, so this replaces the suite's
 * descriptor-leak check).
 */
class IocpDatagramSuiteTest extends DatagramSuite {
    private final FakeIocp iocp = new FakeIocp(2);

    @Override
    protected NetProvider provider() {
        return iocp.provider;
    }

    @AfterEach
    void everyRecordReleased() {
        awaitCondition("every operation record released", () -> iocp.live() == 0);
    }

    @AfterAll
    void closeFake() {
        iocp.close();
    }
}
