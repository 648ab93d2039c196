package dev.fiberio.examples.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.net.FiberServerSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class AcceptLoopTest {
    private static final Logger LOG = LoggerFactory.getLogger(AcceptLoopTest.class);
    private static final InetSocketAddress ADDRESS = new InetSocketAddress(InetAddress.getLoopbackAddress(), 7);

    @Test
    void aPersistentAcceptFailureIsRetriedWithDoublingPausesNotInABusyLoop() throws IOException {
        ScriptedProvider provider = new ScriptedProvider(ScriptedProvider.failing());
        FiberServerSocket server = FiberServerSocket.open(provider).bind(ADDRESS);
        FiberScheduler s = TestSchedulers.create(1);
        try {
            Fiber loop = s.spawn(() -> AcceptLoop.run(server, s, c -> { }, LOG));
            TestSchedulers.awaitCondition("eight failed accepts", () -> provider.acceptCalls.size() >= 8);
            server.close();
            assertTrue(loop.join(Duration.ofSeconds(30)), "the loop ends once the socket is closed");
            List<Long> calls = provider.acceptCalls;
            for (int i = 0; i + 1 < 8; i++) {
                long pause = calls.get(i + 1) - calls.get(i);
                long atLeast = AcceptLoop.FIRST_PAUSE.toNanos() << i;
                assertTrue(pause >= atLeast, "pause " + i + " was " + pause + " ns, expected at least " + atLeast);
            }
        } finally {
            TestSchedulers.closeChecked(s);
        }
    }

    @Test
    void aConnectionNoFiberCanTakeIsClosedAndTheLoopEnds() throws IOException {
        AtomicInteger handed = new AtomicInteger();
        ScriptedProvider.Connection connection = new ScriptedProvider.Connection();
        ScriptedProvider provider = new ScriptedProvider(ScriptedProvider.handing(() -> {
            handed.incrementAndGet();
            return connection;
        }));
        FiberServerSocket server = FiberServerSocket.open(provider).bind(ADDRESS);
        FiberScheduler closed = TestSchedulers.create(1);
        closed.close();
        FiberScheduler s = TestSchedulers.create(1);
        try {
            Fiber loop = s.spawn(() -> AcceptLoop.run(server, closed, c -> { }, LOG));
            assertTrue(loop.join(Duration.ofSeconds(30)), "the loop ends when the scheduler refuses the connection");
            assertEquals(1, handed.get());
            assertTrue(connection.isClosed(), "the refused connection was closed, not leaked");
            assertTrue(server.isOpen());
        } finally {
            server.close();
            TestSchedulers.closeChecked(s);
        }
    }
}
