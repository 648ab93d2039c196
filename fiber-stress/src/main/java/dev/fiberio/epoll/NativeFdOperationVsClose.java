package dev.fiberio.epoll;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.fiberio.nativeio.NativeFd;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * {@link NativeFd}: an operation's {@code acquire()}/{@code release()} against {@code close()}. The
 * descriptor number must never be released to the kernel while an operation holds it (a reused number
 * would let the operation touch a stranger's file), and it must be released exactly once.
 *
 * <p>The descriptor is -1, so the real {@code close(2)} fails harmlessly with EBADF; the test watches
 * the close callback, which runs right after {@code close(2)}. Fields: r1 whether the operation
 * acquired the descriptor (1) or was refused (0); r2 how many closes the operation saw while it held
 * it; r3 how many closes happened in all.
 */
@JCStressTest
@Description("NativeFd acquire/release vs close: never closed under an operation, closed exactly once")
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "the operation acquired first; the descriptor was closed once, after it was released")
@Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "close came first; the operation was refused; closed once")
@Outcome(id = "1, [1-9]\\d*, .*", expect = FORBIDDEN, desc = "closed under an operation")
@Outcome(id = ".*, .*, 0", expect = FORBIDDEN, desc = "never closed")
@Outcome(id = ".*, .*, ([2-9]|\\d{2,})", expect = FORBIDDEN, desc = "closed twice")
@Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
@State
public class NativeFdOperationVsClose {
    private final AtomicInteger closes = new AtomicInteger();
    private final NativeFd fd = new NativeFd(-1, closes::incrementAndGet);

    /** Creates the state: an open descriptor, no operation. */
    public NativeFdOperationVsClose() {
    }

    /**
     * An operation on the descriptor.
     *
     * @param r r1, r2 as in the class comment
     */
    @Actor
    public void operation(III_Result r) {
        if (fd.acquire()) {
            r.r1 = 1;
            r.r2 = closes.get();
            fd.release();
        }
    }

    /** Closes the descriptor. */
    @Actor
    public void closer() {
        fd.close();
    }

    /**
     * Counts the closes.
     *
     * @param r r3 as in the class comment
     */
    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = closes.get();
    }
}
