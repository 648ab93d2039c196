package dev.fiberio.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** The scheduler's MXBean, read through the platform MBean server as a JMX client would. */
class FiberSchedulerMBeansTest {
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    private static FiberScheduler scheduler(String name, int workers) {
        return FiberScheduler.builder().name(name).workers(workers).shutdownTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void countersAndDumpAreReadableThroughThePlatformServer() throws Exception {
        FiberScheduler s = scheduler("jmx-test", 2);
        try {
            ObjectName name = FiberSchedulerMBeans.register(s);
            assertEquals(new ObjectName("dev.fiberio:type=FiberScheduler,name=jmx-test"), name);
            assertTrue(server.isRegistered(name));
            assertEquals(name, FiberSchedulerMBeans.register(s), "registering twice gives the same MBean");

            List<Fiber> parked = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                parked.add(s.spawn("parked-" + i, Fiber::park));
            }
            for (Fiber f : parked) {
                TestSchedulers.awaitCondition(f + " suspended", () -> f.state() == FiberState.SUSPENDED);
            }
            assertEquals("jmx-test", server.getAttribute(name, "Name"));
            assertEquals(2, server.getAttribute(name, "WorkerCount"));
            assertEquals(3, server.getAttribute(name, "LiveFibers"));
            assertEquals(3L, server.getAttribute(name, "SpawnedFibers"));
            assertEquals(0L, server.getAttribute(name, "InvariantViolations"));
            assertEquals(false, server.getAttribute(name, "Closed"));
            assertTrue((Long) server.getAttribute(name, "FiberRuns") >= 3, "each parked fiber ran once");
            long[] perWorker = (long[]) server.getAttribute(name, "FiberRunsPerWorker");
            assertEquals(2, perWorker.length);
            String dump = (String) server.invoke(name, "dump", new Object[0], new String[0]);
            assertTrue(dump.contains("parked-0") && dump.contains("parked-2"), dump);
            String json = (String) server.invoke(name, "dumpJson", new Object[0], new String[0]);
            assertTrue(json.contains("\"threadContainers\"") && json.contains("\"name\": \"parked-2\""), json);

            FiberSchedulerMXBean proxy = JMX.newMXBeanProxy(server, name, FiberSchedulerMXBean.class);
            long runsBefore = proxy.getFiberRuns();
            for (Fiber f : parked) {
                f.unpark();
                f.join();
            }
            assertEquals(0, proxy.getLiveFibers());
            assertEquals(3L, proxy.getSpawnedFibers());
            assertTrue(proxy.getFiberRuns() >= runsBefore + 3, "each unparked fiber ran again");
            assertEquals(proxy.getFiberRuns(), sum(proxy.getFiberRunsPerWorker()));
            assertEquals(0, proxy.getQueuedFibers());
            TestSchedulers.awaitCondition("both workers idle", () -> proxy.getIdleWorkers() == 2);
        } finally {
            TestSchedulers.closeChecked(s);
        }
        assertFalse(server.isRegistered(FiberSchedulerMBeans.objectName(s)), "closing unregisters the MBean");
    }

    private static long sum(long[] values) {
        long sum = 0;
        for (long v : values) {
            sum += v;
        }
        return sum;
    }

    @Test
    void aSecondSchedulerOfTheSameNameIsRefusedClearly() {
        FiberScheduler a = scheduler("jmx-twin", 1);
        FiberScheduler b = scheduler("jmx-twin", 1);
        try {
            FiberSchedulerMBeans.register(a);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> FiberSchedulerMBeans.register(b));
            assertTrue(e.getMessage().contains("already registered"), e.getMessage());
        } finally {
            TestSchedulers.closeChecked(a);
            TestSchedulers.closeChecked(b);
        }
    }

    @Test
    void namesWithJmxCharactersAreQuotedAndAClosedSchedulerIsRefused() throws Exception {
        FiberScheduler s = scheduler("a,b=c:d", 1);
        ObjectName name;
        try {
            name = FiberSchedulerMBeans.register(s);
            assertEquals("a,b=c:d", server.getAttribute(name, "Name"));
            assertEquals("a,b=c:d", ObjectName.unquote(name.getKeyProperty("name")));
        } finally {
            TestSchedulers.closeChecked(s);
        }
        assertFalse(server.isRegistered(name));
        assertThrows(RejectedExecutionException.class, () -> FiberSchedulerMBeans.register(s));
    }

    @Test
    void aDefaultNameNeedsNoQuoting() {
        FiberScheduler s = scheduler("plain-name", 1);
        try {
            assertEquals("plain-name", FiberSchedulerMBeans.objectName(s).getKeyProperty("name"));
        } finally {
            TestSchedulers.closeChecked(s);
        }
    }
}
