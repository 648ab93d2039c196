package dev.fiberio.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.epoll.CloseVsPollLoop;
import dev.fiberio.net.nio.AwaitReadableVsReadiness;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every jcstress test's actors one after another in every order (the interleavings at actor
 * granularity) and checks that jcstress would accept each result, and that the main orders give the
 * outcome their description names.
 */
class ActorOrdersTest {

    @Test
    void everyOrderOfEveryTestGivesAnAcceptableOutcome() throws Exception {
        int runs = 0;
        int expected = 0;
        for (Class<?> test : StressTests.all()) {
            long actors = java.util.Arrays.stream(test.getMethods())
                    .filter(m -> m.isAnnotationPresent(org.openjdk.jcstress.annotations.Actor.class)).count();
            expected += (int) java.util.stream.LongStream.rangeClosed(1, actors).reduce(1, (a, b) -> a * b);
            for (List<String> order : ActorsInOrder.allOrders(test)) {
                String result = ActorsInOrder.run(test, order);
                assertTrue(Grading.acceptable(test, result), test.getSimpleName() + " " + order + " gave " + result
                        + ", graded " + Grading.grade(test, result));
                runs++;
            }
        }
        assertEquals(expected, runs, "orders run: actors! for each test");
        assertTrue(runs >= 11 * 2 + 24, "at least the handshake races' orders: " + runs);
    }

    static Stream<Arguments> orders() {
        return Stream.of(
                Arguments.of(WaitVsSignal.class, "worker waker", "0, 1, 2, 0, 1", "the waker resumes"),
                Arguments.of(WaitVsSignal.class, "waker worker", "0, 0, 0, 0, 1", "a permit, no suspension"),
                Arguments.of(ConsumeThenCheck.FiberVolatile.class, "worker waker", "0, 1, 2, 0, 2, 1", "second wait resumed by the waker"),
                Arguments.of(ConsumeThenCheck.FiberRelease.class, "waker worker", "0, 0, 0, 0, 1, 0", "saw the condition; signal merged with the permit"),
                Arguments.of(ConsumeThenCheck.ThreadVolatile.class, "waiter waker", "0, 0, 1", "the next wait finds the signal's permit"),
                Arguments.of(ConsumeThenCheck.ThreadRelease.class, "waker waiter", "1, -1, 0", "saw the condition"),
                Arguments.of(WakeBoundToItsWait.class, "waiter waker", "1, 1, 0, 1, 0, 0", "the thread timed out; the fiber's wait got the signal"),
                Arguments.of(WakeBoundToItsWait.class, "waker waiter", "0, 1, -1, 0, 0, 2", "the thread took the permit; the fiber waits"),
                Arguments.of(TimedWaits.TimerVsSignal.class, "timer waker", "1, 1, 2, 0, 0, 0", "the timer won"),
                Arguments.of(TimedWaits.TimerVsSignal.class, "waker timer", "0, 1, 2, 0, 1, 0", "the signal won"),
                Arguments.of(TimedWaits.StaleTimerVsNextWait.class, "timer worker", "-1, 1, 2, 0, 0", "the stale timer fired into READY"),
                Arguments.of(TimedWaits.StaleTimerVsNextWait.class, "worker timer", "-1, 1, 2, 0, 0", "the stale timer was cancelled"),
                Arguments.of(TimedWaits.ExpireVsTryExpire.class, "owner idleWorker", "1, 0, 1, 1, 0", "the owner fired it"),
                Arguments.of(TimedWaits.ExpireVsTryExpire.class, "idleWorker owner", "0, 1, 1, 1, 0", "the idle worker fired it"),
                Arguments.of(WorkerIdleVsSubmit.Parked.class, "worker submitter", "0, 1, 0, 0", "the submitter unparks"),
                Arguments.of(WorkerIdleVsSubmit.Parked.class, "submitter worker", "1, 0, 0, 0", "the worker sees the fiber"),
                Arguments.of(WorkerIdleVsSubmit.Polling.class, "worker submitter", "0, 1, 0, 0", "the submitter wakes the poller"),
                Arguments.of(RunQueueRaces.OfferVsOffer.class, "first second", "1, 1, 1, 1", "B spilled"),
                Arguments.of(RunQueueRaces.PollVsSteal.class, "owner thief", "1, 1, 0, 2", "one each"),
                Arguments.of(RunQueueRaces.OfferVsSteal.class, "producer thief", "1, 1, 0, 2", "both stolen"),
                Arguments.of(RunQueueRaces.OfferVsSteal.class, "thief producer", "1, 1, 0, 0", "none stolen"),
                Arguments.of(DumpVsResume.class, "dumper waker", "0, 1, 2, 0, 1, 1", "the dump caught it suspended"),
                Arguments.of(DumpVsResume.class, "waker dumper", "0, 1, 2, 0, 0, 1", "the dump found it runnable"),
                Arguments.of(ConditionRaces.SignalVsCancel.class, "canceller signaller", "2, 1, 1, 0, 0, 0", "W1 withdrew; W2 signalled"),
                Arguments.of(ConditionRaces.SignalVsCancel.class, "signaller canceller", "1, -1, 1, 0, 0, 1", "W1 took the signal"),
                Arguments.of(ConditionRaces.SignalVsTimeout.class, "timer signaller", "3, 1, 1, 0, 0, 0", "W1 timed out; W2 signalled"),
                Arguments.of(ConditionRaces.SignalVsTimeout.class, "signaller timer", "1, -1, 1, 0, 0, 1", "W1 took the signal"),
                Arguments.of(PinnedWaitVsSignal.class, "waker worker", "0, 1, 0, 0, 1, 0", "the permit, no pinned wait"),
                Arguments.of(SpawnVsClose.class, "spawner closer", "1, 1, 1, 0, 0", "the fiber ran"),
                Arguments.of(SpawnVsClose.class, "closer spawner", "0, 0, 0, 1, 0", "spawn after close throws"),
                Arguments.of(SignalVsTimeoutVsCancel.class, "worker timeout signal cancel", "1, 1, 2, 0, 0, 1", "timeout won"),
                Arguments.of(SignalVsTimeoutVsCancel.class, "worker cancel signal timeout", "2, 1, 2, 0, 0, 0", "cancel won"),
                Arguments.of(SignalVsTimeoutVsCancel.class, "signal timeout worker cancel", "0, 0, 0, 0, 1, 0", "a permit"),
                Arguments.of(SignalVsTimeoutVsCancel.class, "cancel timeout signal worker", "-2, 0, 0, 0, 1, 0", "never started"),
                Arguments.of(TwoWakers.SignalAndClose.class, "close signal", "3, 1, 2, 0, 0, 1", "close won"),
                Arguments.of(TwoWakers.SignalAndClose.class, "signal close", "0, 1, 2, 0, 1, 0", "signal won"),
                Arguments.of(TwoWakers.TimeoutAndCancel.class, "canceller timeout", "2, 1, 2, 0, 0, 0", "cancel won"),
                Arguments.of(ParkVsUnpark.class, "worker unparker", "0, 1, 2, 0, 0, 1", "unpark resumes"),
                Arguments.of(ParkVsUnpark.class, "unparker worker", "0, 0, 0, 0, 0, 1", "a permit"),
                Arguments.of(CancelVsBeginWait.class, "worker canceller", "2, 1, 2, 0, 0", "cancel resumes"),
                Arguments.of(CancelVsBeginWait.class, "canceller worker", "-2, 0, 0, 0, 0", "never started"),
                Arguments.of(TimerFireVsCancel.class, "owner canceller", "1, 0, 1, 1, 0", "fired, woke the waiter"),
                Arguments.of(TimerFireVsCancel.class, "canceller owner", "0, 1, -1, 0, 0", "cancelled, not fired"),
                Arguments.of(ThreadWaitVsSignal.class, "waker waiter", "0, 1, 0", "the permit is consumed"),
                Arguments.of(SpareDormancy.EnableVsDormant.class, "spare enabler", "2, 0, 1", "the enabler unparks the dormant spare"),
                Arguments.of(SpareDormancy.EnableVsDormant.class, "enabler spare", "1, 0, 1", "the spare sees the blocked worker"),
                Arguments.of(SpareDormancy.SubmitVsDormant.class, "spare resumer", "2, 3, 3", "the resume goes to the regular worker"),
                Arguments.of(SpareDormancy.SubmitVsDormant.class, "resumer spare", "2, 3, 3", "a spare is never a resume's target"),
                Arguments.of(SpareDormancy.HandoffVsIdle.class, "spare worker", "2, 0, 0, 0", "the worker sees the handed-off fiber"),
                Arguments.of(SpareDormancy.HandoffVsIdle.class, "worker spare", "2, 0, 0, 0", "the worker sees the fiber in the spare's queue"),
                Arguments.of(WatchdogVsPinnedWait.class, "watchdog worker", "1, 0, 0", "the thread was not blocked yet"),
                Arguments.of(WatchdogVsPinnedWait.class, "worker watchdog", "1, 0, 0", "the pinned wait compensates alone"),
                Arguments.of(CloseVsPollLoop.CloseOnly.class, "closer pollLoop", "1, -1", "the poll after the close returns -1"),
                Arguments.of(CloseVsPollLoop.WakeupThenClose.class, "closer pollLoop", "1, -1", "the poll after the close returns -1"),
                Arguments.of(AwaitReadableVsReadiness.FirstWait.class, "worker poller", "1, 1, 2, 0, 1, 0", "the report resumes the waiter"),
                Arguments.of(AwaitReadableVsReadiness.FirstWait.class, "poller worker", "1, 1, 2, 0, 2, 1", "nothing to report yet; the next round resumes"),
                Arguments.of(AwaitReadableVsReadiness.InterestLeftArmed.class, "poller worker", "1, 1, 2, 0, 3, 1",
                        "the report before the call is stale to it; the next round resumes"),
                Arguments.of(AwaitReadableVsReadiness.StalePermit.class, "worker poller", "1, 1, 2, 0, 1, 0",
                        "the stale permit taken, the report resumes the second wait"));
    }

    @ParameterizedTest(name = "{0} [{1}] -> {2}: {3}")
    @MethodSource("orders")
    void anOrderGivesTheOutcomeItsDescriptionNames(Class<?> test, String order, String expected, String what)
            throws Exception {
        assertEquals(expected, ActorsInOrder.run(test, List.of(order.split(" "))), what);
    }
}
