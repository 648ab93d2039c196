package dev.fiberio.core;

import dev.fiberio.core.spi.WaitSlot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The fiber dump in the JDK thread-dump JSON shape. */
class FiberDumpTest {

    @Test
    void theJsonDumpListsEveryLiveFiberWithItsStackInTheJdkThreadDumpShape() {
        FiberScheduler s = TestSchedulers.create(1);
        try {
            WaitSlot gate = new WaitSlot();
            WaitSlot gate2 = new WaitSlot();
            s.spawn("quote\"and\\slash", gate::await);
            s.spawn("second", gate2::await);
            TestSchedulers.awaitCondition("both wait", () -> s.fibers().stream()
                    .filter(i -> i.state() == FiberState.SUSPENDED).count() == 2);
            String json = s.dumpJson();
            assertTrue(json.contains("\"threadDump\""));
            assertTrue(json.contains("\"threadContainers\""));
            assertTrue(json.contains("\"container\": \"dev.fiberio.FiberScheduler/test\""));
            assertTrue(json.contains("\"name\": \"quote\\\"and\\\\slash\""), json);
            assertTrue(json.contains("dev.fiberio.core.spi.WaitSlot.await"), "stacks are in the dump");
            Matcher count = Pattern.compile("\"threadCount\": \"(\\d+)\"").matcher(json);
            assertTrue(count.find());
            assertEquals("2", count.group(1));
            assertEquals(2, Pattern.compile("\"tid\"").matcher(json).results().count());
            // balanced brackets: a structural sanity check a JSON parser would also make
            assertEquals(json.chars().filter(c -> c == '{').count(), json.chars().filter(c -> c == '}').count());
            assertEquals(json.chars().filter(c -> c == '[').count(), json.chars().filter(c -> c == ']').count());
            gate.signal();
            gate2.signal();
        } finally {
            s.close();
        }
    }
}
