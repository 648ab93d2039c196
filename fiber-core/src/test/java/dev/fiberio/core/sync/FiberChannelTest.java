package dev.fiberio.core.sync;

import static dev.fiberio.core.TestSchedulers.awaitCondition;
import static dev.fiberio.core.TestSchedulers.inFiber;
import static dev.fiberio.core.sync.SyncTesting.assertEndedCancelled;
import static dev.fiberio.core.sync.SyncTesting.spawnQueued;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberCancelledException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class FiberChannelTest extends SchedulerTest {
    @Test
    void bufferedItemsComeOutInOrderAndTheBufferIsBounded() {
        FiberChannel<Integer> ch = new FiberChannel<>(3);
        assertTrue(ch.trySend(1));
        assertTrue(ch.trySend(2));
        assertTrue(ch.trySend(3));
        assertFalse(ch.trySend(4), "full");
        assertEquals(3, ch.size());
        assertEquals(1, ch.tryReceive());
        assertTrue(ch.trySend(4));
        assertEquals(2, ch.receive());
        assertEquals(3, ch.receive());
        assertEquals(4, ch.receive());
        assertNull(ch.tryReceive(), "empty");
        assertEquals(3, ch.capacity());
    }

    @Test
    void aSendToAFullChannelWaitsUntilAReceiverMakesRoom() {
        FiberChannel<Integer> ch = new FiberChannel<>(2);
        ch.send(1);
        ch.send(2);
        Fiber sender = spawnQueued(s, () -> ch.send(3), ch::waitingSenders, 1);
        assertEquals(2, ch.size());
        assertEquals(1, ch.receive());
        sender.join();
        assertEquals(2, ch.size(), "the waiting sender's item moved into the buffer");
        assertEquals(2, ch.receive());
        assertEquals(3, ch.receive());
    }

    @Test
    void aRendezvousChannelPairsEachSendWithAReceive() throws Exception {
        FiberChannel<String> ch = new FiberChannel<>(0);
        assertFalse(ch.trySend("nobody"), "no receiver waits");
        AtomicBoolean sent = new AtomicBoolean();
        Fiber sender = spawnQueued(s, () -> {
            ch.send("a");
            sent.set(true);
        }, ch::waitingSenders, 1);
        assertFalse(sent.get(), "send waits for a receiver");
        assertEquals(0, ch.size());
        assertEquals("a", ch.receive());
        sender.join();
        assertTrue(sent.get());

        AtomicReference<String> received = new AtomicReference<>();
        Fiber receiver = spawnQueued(s, () -> received.set(ch.receive()), ch::waitingReceivers, 1);
        assertTrue(inFiber(s, () -> ch.trySend("b")), "a waiting receiver takes the item at once");
        receiver.join();
        assertEquals("b", received.get());
    }

    @Test
    void waitingSendersAndReceiversAreServedInArrivalOrder() {
        FiberChannel<Integer> ch = new FiberChannel<>(0);
        List<String> received = new CopyOnWriteArrayList<>();
        List<Fiber> receivers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String name = "r" + i;
            receivers.add(spawnQueued(s, () -> received.add(name + "=" + ch.receive()), ch::waitingReceivers, i + 1));
        }
        for (int i = 0; i < 3; i++) {
            ch.send(i);
            receivers.get(i).join(); // each receiver records before the next send
        }
        assertEquals(List.of("r0=0", "r1=1", "r2=2"), received);

        List<Fiber> senders = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int item = 10 + i;
            senders.add(spawnQueued(s, () -> ch.send(item), ch::waitingSenders, i + 1));
        }
        assertEquals(List.of(10, 11, 12), List.of(ch.receive(), ch.receive(), ch.receive()));
        senders.forEach(Fiber::join);
    }

    @Test
    void closeFailsSendersAndReceiversButBufferedItemsAreStillDelivered() {
        FiberChannel<Integer> ch = new FiberChannel<>(2);
        ch.send(1);
        ch.send(2);
        AtomicInteger failedSends = new AtomicInteger();
        Fiber blockedSender = spawnQueued(s, () -> {
            try {
                ch.send(3);
            } catch (ChannelClosedException e) {
                failedSends.incrementAndGet();
            }
        }, ch::waitingSenders, 1);
        ch.close();
        ch.close(); // idempotent
        blockedSender.join();
        assertEquals(1, failedSends.get());
        assertTrue(ch.isClosed());
        assertThrows(ChannelClosedException.class, () -> ch.send(4));
        assertThrows(ChannelClosedException.class, () -> ch.trySend(4));
        assertThrows(ChannelClosedException.class, () -> ch.send(4, Duration.ZERO));
        assertEquals(1, ch.receive(), "buffered items survive close");
        assertEquals(2, ch.tryReceive());
        assertThrows(ChannelClosedException.class, ch::receive, "the waiting sender's item was not delivered");
        assertThrows(ChannelClosedException.class, ch::tryReceive);
        assertThrows(ChannelClosedException.class, () -> ch.receive(Duration.ofSeconds(1)));
    }

    @Test
    void closeWakesEveryWaitingReceiverOfAnEmptyChannel() throws Exception {
        FiberChannel<Integer> ch = new FiberChannel<>(1);
        AtomicInteger closedSeen = new AtomicInteger();
        Runnable receiver = () -> {
            try {
                ch.receive();
            } catch (ChannelClosedException e) {
                closedSeen.incrementAndGet();
            }
        };
        Fiber first = spawnQueued(s, receiver, ch::waitingReceivers, 1);
        Fiber second = spawnQueued(s, receiver, ch::waitingReceivers, 2);
        Thread thread = Thread.ofPlatform().start(receiver);
        awaitCondition("thread receiver waits", () -> ch.waitingReceivers() == 3);
        ch.close();
        first.join();
        second.join();
        thread.join();
        assertEquals(3, closedSeen.get());
        assertEquals(0, ch.waitingReceivers());
    }

    @Test
    void aMillionItemsCrossBetweenFibersInOrder() {
        int items = 1_000_000;
        FiberChannel<Integer> ch = new FiberChannel<>(256);
        AtomicLong checksum = new AtomicLong();
        AtomicInteger outOfOrder = new AtomicInteger();
        Fiber producer = s.spawn("producer", () -> {
            for (int i = 1; i <= items; i++) {
                ch.send(i);
            }
            ch.close();
        });
        Fiber consumer = s.spawn("consumer", () -> {
            long sum = 0;
            int expected = 1;
            try {
                for (;;) {
                    int item = ch.receive();
                    if (item != expected) {
                        outOfOrder.incrementAndGet();
                    }
                    expected = item + 1;
                    sum += item;
                }
            } catch (ChannelClosedException drained) {
                checksum.set(sum);
            }
        });
        producer.join();
        consumer.join();
        assertEquals(0, outOfOrder.get());
        assertEquals((long) items * (items + 1) / 2, checksum.get());
    }

    @Test
    void manyFiberAndThreadProducersAndConsumersDrainAClosedChannel() throws Exception {
        FiberChannel<Integer> ch = new FiberChannel<>(8);
        int producers = 4;
        int perProducer = 5_000;
        LongAdder sum = new LongAdder();
        LongAdder count = new LongAdder();
        Runnable consumer = () -> {
            try {
                for (;;) {
                    sum.add(ch.receive());
                    count.increment();
                }
            } catch (ChannelClosedException drained) {
                // done
            }
        };
        List<Fiber> producerFibers = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            producerFibers.add(s.spawn(() -> {
                for (int i = 1; i <= perProducer; i++) {
                    ch.send(i);
                }
            }));
        }
        List<Fiber> consumerFibers = List.of(s.spawn(consumer), s.spawn(consumer), s.spawn(consumer));
        List<Thread> consumerThreads = List.of(Thread.ofPlatform().start(consumer), Thread.ofPlatform().start(consumer));
        for (Fiber f : producerFibers) {
            f.join();
        }
        ch.close();
        for (Fiber f : consumerFibers) {
            f.join();
        }
        for (Thread t : consumerThreads) {
            t.join();
        }
        assertEquals((long) producers * perProducer, count.sum());
        assertEquals((long) producers * perProducer * (perProducer + 1) / 2, sum.sum());
    }

    @Test
    void timedOperationsGiveUpAfterTheirDeadline() throws Exception {
        FiberChannel<Integer> ch = new FiberChannel<>(1);
        Duration timeout = Duration.ofMillis(30);
        long start = System.nanoTime();
        assertNull(inFiber(s, () -> ch.receive(timeout)));
        assertTrue(System.nanoTime() - start >= timeout.toNanos());
        assertEquals(0, ch.waitingReceivers());
        ch.send(1);
        start = System.nanoTime();
        assertFalse(inFiber(s, () -> ch.send(2, timeout)));
        assertTrue(System.nanoTime() - start >= timeout.toNanos());
        assertEquals(0, ch.waitingSenders());
        assertFalse(ch.send(2, timeout), "a thread times out too");
        assertEquals(1, ch.receive(Duration.ZERO), "only the item sent in time is there");
        assertNull(ch.tryReceive());
        assertTrue(ch.send(3, Duration.ZERO), "room again");
    }

    @Test
    void cancellingABlockedSenderThrowsOnceSendsNothingAndTheNextSenderProceeds() {
        FiberChannel<String> ch = new FiberChannel<>(0);
        AtomicInteger cancellations = new AtomicInteger();
        Fiber cancelled = spawnQueued(s, () -> {
            try {
                ch.send("lost?");
            } catch (FiberCancelledException e) {
                cancellations.incrementAndGet();
                throw e;
            }
        }, ch::waitingSenders, 1);
        Fiber next = spawnQueued(s, () -> ch.send("next"), ch::waitingSenders, 2);
        cancelled.cancel();
        assertEndedCancelled(cancelled);
        assertEquals(1, cancellations.get());
        assertEquals(1, ch.waitingSenders());
        assertEquals("next", ch.receive(), "the cancelled sender's item was withdrawn");
        next.join();
    }

    @Test
    void cancellingABlockedReceiverThrowsOnceAndTheNextReceiverGetsTheItem() {
        FiberChannel<String> ch = new FiberChannel<>(4);
        AtomicInteger cancellations = new AtomicInteger();
        AtomicReference<String> received = new AtomicReference<>();
        Fiber cancelled = spawnQueued(s, () -> {
            try {
                ch.receive();
            } catch (FiberCancelledException e) {
                cancellations.incrementAndGet();
                throw e;
            }
        }, ch::waitingReceivers, 1);
        Fiber next = spawnQueued(s, () -> received.set(ch.receive()), ch::waitingReceivers, 2);
        cancelled.cancel();
        assertEndedCancelled(cancelled);
        assertEquals(1, cancellations.get());
        ch.send("item");
        next.join();
        assertEquals("item", received.get());
        assertEquals(0, ch.size());
    }

    @Test
    void anItemHandedToAReceiverAsItIsCancelledIsReturnedNotLost() {
        FiberChannel<String> ch = new FiberChannel<>(0);
        AtomicReference<String> received = new AtomicReference<>();
        Fiber receiver = spawnQueued(s, () -> received.set(ch.receive(Duration.ofMinutes(5))),
                ch::waitingReceivers, 1);
        SyncTesting.withAllWorkersBusy(s, () -> {
            assertTrue(ch.trySend("precious")); // handed to the receiver, which cannot run yet
            receiver.cancel();
        });
        receiver.join();
        assertEquals("precious", received.get());
    }

    @Test
    void aSenderWhoseItemWasTakenAsItIsCancelledReportsSuccess() {
        FiberChannel<String> ch = new FiberChannel<>(0);
        AtomicBoolean sent = new AtomicBoolean();
        Fiber sender = spawnQueued(s, () -> sent.set(ch.send("taken", Duration.ofMinutes(5))),
                ch::waitingSenders, 1);
        AtomicReference<String> got = new AtomicReference<>();
        SyncTesting.withAllWorkersBusy(s, () -> {
            got.set(ch.tryReceive()); // takes the item; the sender cannot run yet
            sender.cancel();
        });
        sender.join();
        assertEquals("taken", got.get());
        assertTrue(sent.get(), "the item was delivered, so the send succeeded");
    }

    @Test
    void misuseIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new FiberChannel<String>(-1));
        FiberChannel<String> ch = new FiberChannel<>(1);
        assertThrows(NullPointerException.class, () -> ch.send(null));
        assertThrows(NullPointerException.class, () -> ch.trySend(null));
        assertThrows(NullPointerException.class, () -> ch.send(null, Duration.ZERO));
        assertThrows(NullPointerException.class, () -> ch.send("x", null));
        assertThrows(NullPointerException.class, () -> ch.receive(null));
        assertEquals(0, ch.size());
    }
}
