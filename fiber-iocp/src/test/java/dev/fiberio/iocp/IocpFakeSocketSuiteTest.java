package dev.fiberio.iocp;

import static dev.fiberio.core.TestSchedulers.awaitCondition;

import dev.fiberio.net.SocketSuite;
import dev.fiberio.net.spi.NetProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;

/**
 * The shared socket suite against the IOCP provider on the in-memory {@link dev.fiberio.iocp.win32.FakeWin32}:
 * the poller threads, operation records, AcceptEx/ConnectEx paths and cancellation logic all run
 * for real; only the kernel is simulated. After each test every operation record must have been
 * released (the fake opens no descriptors, so this replaces the suite's descriptor-leak check).
 *
 * <p>What the fake cannot model: a ConnectEx that stays pending (the fake completes every connect
 * at once, and refuses a connection to a full backlog, as Windows does), so the suite's two tests
 * that need a blocked connect abort themselves through their assumption, exactly as on Windows.
 * Socket buffer sizes are stored but do not limit the fake's buffers (1 MiB per socket).
 */
class IocpFakeSocketSuiteTest extends SocketSuite {
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

    @Override
    protected boolean awaitsReadableWithoutABuffer() {
        return true;
    }

    @Override
    protected boolean kernelSockets() {
        return false;
    }
}
