package dev.fiberio.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;

/** The declared outcomes: described, forbidding what they must, and graded as the class comments say. */
class OutcomeDeclarationsTest {

    @Test
    void jcstressListsEveryTestOfTheSuite() throws Exception {
        // Every compiled @JCStressTest class of this module must be in jcstress's TestList (the
        // annotation processor ran), and the handshake races (a)-(g) must be among them.
        Path classes = Path.of(WaitVsSignal.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> compiled;
        try (Stream<Path> files = Files.walk(classes)) {
            compiled = files.filter(f -> f.toString().endsWith(".class") && !f.getFileName().toString().contains("jcstress"))
                    .map(f -> classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", ""))
                    .map(OutcomeDeclarationsTest::load)
                    .filter(c -> c != null && c.isAnnotationPresent(JCStressTest.class))
                    .map(Class::getSimpleName).sorted().toList();
        }
        List<String> listed = StressTests.all().stream().map(Class::getSimpleName).sorted().toList();
        assertEquals(compiled, listed);
        assertTrue(listed.containsAll(List.of("CancelVsBeginWait", "ParkVsUnpark", "FiberVolatile", "FiberRelease",
                "ThreadVolatile", "ThreadRelease", "WakeBoundToItsWait", "TimerVsSignal", "StaleTimerVsNextWait",
                "ExpireVsTryExpire", "Parked", "Polling", "OfferVsOffer", "PollVsSteal", "OfferVsSteal",
                "DumpVsResume", "SignalVsCancel", "SignalVsTimeout", "PinnedWaitVsSignal", "SpawnVsClose",
                "SignalAndCancel", "SignalAndClose", "SignalAndTimeout", "SignalVsTimeoutVsCancel", "ThreadWaitVsSignal",
                "TimeoutAndCancel", "TimerFireVsCancel", "TwoSignals", "WaitVsSignal")), listed.toString());
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, OutcomeDeclarationsTest.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    @Test
    void everyOutcomeIsDescribedAndEveryTestHasAForbiddingDefault() throws Exception {
        for (Class<?> test : StressTests.all()) {
            List<Grading.Case> cases = Grading.cases(test);
            for (Grading.Case c : cases) {
                assertFalse(c.desc().isBlank(), test.getSimpleName() + ": outcome '" + c.id() + "' has no desc");
            }
            assertTrue(cases.stream().anyMatch(c -> c.id().pattern().isEmpty() && c.expect() == Expect.FORBIDDEN),
                    test.getSimpleName() + " does not forbid unlisted results");
            assertTrue(cases.stream().anyMatch(c -> c.expect() == Expect.ACCEPTABLE),
                    test.getSimpleName() + " accepts nothing");
        }
    }

    @Test
    void testsOfADrivenFiberShareTheResumeLabels() throws Exception {
        for (Class<?> test : StressTests.all()) {
            JCStressMeta meta = test.getAnnotation(JCStressMeta.class);
            if (meta != null && test.getPackageName().equals(ResumeOutcomes.class.getPackageName())) {
                assertEquals(ResumeOutcomes.class, meta.value(), test.getSimpleName());
            }
        }
        assertEquals(List.of("never resumed"), Grading.forbiddenLabels(WaitVsSignal.class, "-1, 0, 0, 0, 1"));
        assertEquals(List.of("resumed twice"), Grading.forbiddenLabels(WaitVsSignal.class, "0, 2, 3, 0, 1"));
        assertEquals(List.of("resumed twice", "resumed before the hook"),
                Grading.forbiddenLabels(WaitVsSignal.class, "0, 2, 1, 1, 1"));
        assertEquals(List.of("never resumed"), Grading.forbiddenLabels(TwoWakers.TwoSignals.class, "-1, 0, 0, 0, 1, 0"));
        assertEquals(List.of("not a listed outcome: a wrong reason or an inconsistent waker result"),
                Grading.forbiddenLabels(TwoWakers.TwoSignals.class, "0, 1, 2, 0, 1, 1"));
    }

    @Test
    void testsWithTheirOwnLayoutLabelTheirForbiddenResults() {
        assertEquals(List.of("never resumed: the timer fired but the waiter still waits"),
                Grading.forbiddenLabels(TimerFireVsCancel.class, "1, 0, -1, 0, 0"));
        assertEquals(List.of("the entry both fired and was cancelled"),
                Grading.forbiddenLabels(TimerFireVsCancel.class, "1, 1, 1, 1, 0"));
        assertEquals(List.of("resumed twice"), Grading.forbiddenLabels(TimerFireVsCancel.class, "1, 0, 1, 2, 0"));
        assertEquals(List.of("resumed twice: the waiter consumed the signal and it is still in the slot"),
                Grading.forbiddenLabels(ThreadWaitVsSignal.class, "0, 1, 3"));
        assertTrue(Grading.acceptable(ThreadWaitVsSignal.class, "1, 1, 3"), "a timeout is interesting, not a failure");
        assertEquals(List.of("permit duplicated: the second park returned without a second unpark"),
                Grading.forbiddenLabels(ParkVsUnpark.class, "0, 1, 2, 0, 1, 0"));
        assertEquals(List.of("lost wake-up: the waiter missed the condition and signal() saw the old permit and left nothing;"
                + " the next wait would sleep forever"), Grading.forbiddenLabels(ConsumeThenCheck.ThreadRelease.class, "0, 1, 0"));
        assertEquals(List.of("never resumed", "lost wake-up: the fiber missed the condition and signal() saw the old permit and left"
                + " nothing; the second wait sleeps forever"), Grading.forbiddenLabels(ConsumeThenCheck.FiberVolatile.class, "-1, 0, 0, 0, 2, 0"));
        assertEquals(List.of("one wake-up, two waits ended: the fiber was resumed by the signal that the thread's wait had won"),
                Grading.forbiddenLabels(WakeBoundToItsWait.class, "0, 1, 0, 1, 0, 0"));
        assertEquals(List.of("one wake-up, two waits ended: the fiber was resumed by the signal that the thread's wait had won",
                "invariant violated: the fiber was resumed before its post-switch hook, or twice"),
                Grading.forbiddenLabels(WakeBoundToItsWait.class, "0, 1, 0, 1, 1, 0"));
        assertEquals(List.of("stale timer: the first wait's timer woke the second wait with TIMED_OUT before its own deadline"),
                Grading.forbiddenLabels(TimedWaits.StaleTimerVsNextWait.class, "1, 1, 1, 0, 0"));
        assertEquals(List.of("a due timer fired by neither: it is stranded"),
                Grading.forbiddenLabels(TimedWaits.ExpireVsTryExpire.class, "0, 0, -1, 0, 1"));
        assertEquals(List.of("lost wake-up: the worker parks with the fiber in its queue and the submitter did not wake it"),
                Grading.forbiddenLabels(WorkerIdleVsSubmit.Parked.class, "0, 0, 1, 1"));
        assertEquals(List.of("signal lost: W1 timed out and W2 was not signalled"),
                Grading.forbiddenLabels(ConditionRaces.SignalVsTimeout.class, "3, -1, 1, 0, 0, 1"));
        assertEquals(List.of("lost wake-up: signal() made the slot READY before the deadline, yet the pinned wait slept until it"),
                Grading.forbiddenLabels(PinnedWaitVsSignal.class, "1, 1, 0, 0, 1, 3"));
        assertEquals(List.of("resumed as a fiber: a pinned waiter was resumed through the scheduler"),
                Grading.forbiddenLabels(PinnedWaitVsSignal.class, "0, 1, 1, 0, 1, 0"));
        assertEquals(List.of("an accepted fiber neither ran nor was abandoned: its joiner would hang"),
                Grading.forbiddenLabels(SpawnVsClose.class, "1, 0, 0, 0, 1"));
    }
}
