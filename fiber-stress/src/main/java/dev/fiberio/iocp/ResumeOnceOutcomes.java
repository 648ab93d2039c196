package dev.fiberio.iocp;

import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Outcome;

/**
 * The forbidden outcomes of the IOCP stress tests, which name this class in {@code @JCStressMeta}
 * and list their acceptable outcomes themselves. Their results are four ints: r1 what the fiber's
 * wait returned (-1 if it never returned), r2 resume attempts (refused ones included), r3 a
 * test-specific field, r4 resumes refused because the fiber had not switched out yet.
 */
@Outcome(id = "-1, .*", expect = FORBIDDEN, desc = "never resumed")
@Outcome(id = "-?\\d+, ([2-9]|\\d{2,}), .*", expect = FORBIDDEN, desc = "resumed twice")
@Outcome(id = "-?\\d+, \\d+, \\d+, [1-9]\\d*", expect = FORBIDDEN, desc = "resumed before the hook")
@Outcome(expect = FORBIDDEN, desc = "not a listed outcome: a wrong result or inconsistent accounting")
final class ResumeOnceOutcomes {
    private ResumeOnceOutcomes() {
    }
}
