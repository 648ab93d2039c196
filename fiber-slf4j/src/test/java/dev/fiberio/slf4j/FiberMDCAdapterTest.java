package dev.fiberio.slf4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FiberMDCAdapterTest {
    private final FiberMDCAdapter mdc = new FiberMDCAdapter();
    private final FiberScheduler one = TestSchedulers.create(1);

    @AfterEach
    void close() {
        mdc.clear();
        TestSchedulers.closeChecked(one);
    }

    @Test
    void fibersSharingOneWorkerThreadKeepTheirOwnValues() throws Exception {
        // One worker: every fiber runs on the same thread, so a thread-local MDC would be shared.
        int fibers = 4;
        AtomicInteger threadLocalWrong = new AtomicInteger();
        ThreadLocal<String> threadLocal = new ThreadLocal<>();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int i = 0; i < fibers; i++) {
            String id = "fiber-" + i;
            CompletableFuture<Void> d = new CompletableFuture<>();
            done.add(d);
            one.spawn(() -> {
                try {
                    mdc.put("id", id);
                    for (int k = 0; k < 1000; k++) {
                        threadLocal.set(id);
                        Fiber.yield();
                        if (!id.equals(threadLocal.get())) {
                            threadLocalWrong.incrementAndGet();
                        }
                        assertEquals(id, mdc.get("id"), "after yield " + k);
                        assertEquals(Map.of("id", id), mdc.getCopyOfContextMap());
                    }
                    d.complete(null);
                } catch (Throwable t) {
                    d.completeExceptionally(t);
                }
            });
        }
        for (CompletableFuture<Void> d : done) {
            d.get();
        }
        // the scenario is real: the other fibers ran on this thread in between
        assertTrue(threadLocalWrong.get() > 0, "a thread-local would have been right every time");
    }

    @Test
    void aNewFiberStartsEmptyAndAThreadHasItsOwnContext() throws Exception {
        mdc.put("where", "test thread");
        String inFiber = TestSchedulers.inFiber(one, () -> mdc.get("where"));
        assertNull(inFiber);
        assertEquals("test thread", mdc.get("where"));
        Map<String, String> fiberMap = TestSchedulers.inFiber(one, () -> {
            mdc.put("where", "fiber");
            return mdc.getCopyOfContextMap();
        });
        assertEquals(Map.of("where", "fiber"), fiberMap);
        assertEquals("test thread", mdc.get("where"));
    }

    @Test
    void mapOperationsFollowTheMdcContract() throws Exception {
        TestSchedulers.inFiber(one, () -> {
            assertThrows(IllegalArgumentException.class, () -> mdc.put(null, "x"));
            mdc.put("a", "1");
            mdc.put("b", null);
            Map<String, String> copy = mdc.getCopyOfContextMap();
            copy.put("c", "3"); // a copy: the context does not change
            assertNull(mdc.get("c"));
            assertEquals(2, mdc.getCopyOfContextMap().size());
            mdc.remove("a");
            assertNull(mdc.get("a"));
            mdc.setContextMap(Map.of("x", "9"));
            assertEquals(Map.of("x", "9"), mdc.getCopyOfContextMap());
            mdc.clear();
            assertTrue(mdc.getCopyOfContextMap().isEmpty());

            mdc.pushByKey("ndc", "outer");
            mdc.pushByKey("ndc", "inner");
            assertEquals(List.of("inner", "outer"), List.copyOf(mdc.getCopyOfDequeByKey("ndc")));
            Fiber.yield();
            assertEquals("inner", mdc.popByKey("ndc"));
            mdc.clearDequeByKey("ndc");
            assertNull(mdc.popByKey("ndc"));
            assertNull(mdc.getCopyOfDequeByKey("none"));
            return null;
        });
    }
}
