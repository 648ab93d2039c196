package dev.fiberio.core;

import dev.fiberio.core.spi.WaitSlot;

import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Outcome;

/**
 * The forbidden outcomes shared by the tests whose waiter is a {@link DrivenFiber}, which name this
 * class in {@code @JCStressMeta} and list their acceptable outcomes themselves. Their results start with
 * the same four fields:
 * <ol>
 *   <li>r1: what the waiting code returned (a {@link WaitSlot} reason), {@link DrivenFiber#NOT_RETURNED}
 *       (-1) if it still waits after the arbiter ran everything that was resumed, or
 *       {@link DrivenFiber#NEVER_STARTED} (-2);</li>
 *   <li>r2: resume attempts, refused ones included ({@link DrivenFiber#resumeAttempts()});</li>
 *   <li>r3: who resumed it: 0 nobody (it never suspended), 1 the post-switch hook, 2 a waker, 3 both;</li>
 *   <li>r4: resumes refused because the fiber had not switched out yet.</li>
 * </ol>
 * Any result that no outcome names is forbidden too.
 */
@Outcome(id = "-1, .*", expect = FORBIDDEN, desc = "never resumed")
@Outcome(id = "-?\\d+, ([2-9]|\\d{2,}), .*", expect = FORBIDDEN, desc = "resumed twice")
@Outcome(id = "-?\\d+, \\d+, \\d+, [1-9]\\d*, .*", expect = FORBIDDEN, desc = "resumed before the hook")
@Outcome(expect = FORBIDDEN, desc = "not a listed outcome: a wrong reason or an inconsistent waker result")
final class ResumeOutcomes {
    private ResumeOutcomes() {
    }
}
