package dev.fiberio.net.nio;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Runs a JDK channel or selector call in a compiled frame of its own, one that C2 cannot inline into
 * the fiber code that calls it.
 *
 * <p>Why: C2 compiles {@code Thread.currentThread()} as a load from immutable memory, so within one
 * compiled frame every read after the first may reuse the first's value. In a fiber that value is the
 * carrier, which changes when the fiber suspends and resumes on another worker. The JDK's channels
 * take {@code ReentrantLock}s whose owner is {@code Thread.currentThread()}: inlined into a frame that
 * also spans a suspension (the retry loop around a readiness wait), a lock taken after a migration
 * could record one carrier and its unlock compare with another, which throws
 * {@link IllegalMonitorStateException} and leaves the channel's lock held (the next close hangs).
 * {@code NioStaleCarrierStressTest} reproduced exactly that.
 *
 * <p>How: the call goes through a {@link MethodHandle} that C2 cannot treat as a constant (it is read
 * from a non-final field), so it cannot inline its target; the target is compiled on its own, in a
 * frame that returns before any suspension, and reads the carrier afresh each time. The price is one
 * indirect call per channel operation.
 */
final class OutOfLine {
    /**
     * {@code ChannelCall.call()} as a method handle. Deliberately not {@code final}: C2 constant-folds a
     * static final method handle and would then inline the call, which is exactly what must not happen.
     */
    @SuppressWarnings("FieldMayBeFinal")
    private static MethodHandle invoker = lookupInvoker();

    private OutOfLine() {
    }

    /**
     * Runs {@code call} in a frame of its own.
     *
     * @param call the channel call
     * @param <T>  its result type
     * @return its result
     * @throws IOException what the call threw
     */
    @SuppressWarnings("unchecked")
    static <T> T call(NioHandle.ChannelCall<T> call) throws IOException {
        try {
            return (T) (Object) invoker.invokeExact(call);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("a ChannelCall threw an undeclared checked exception", t);
        }
    }

    /**
     * Runs {@code action} in a frame of its own.
     *
     * @param action a call that throws no checked exception
     */
    static void run(Runnable action) {
        try {
            call(() -> {
                action.run();
                return null;
            });
        } catch (IOException e) {
            throw new AssertionError("a Runnable threw an IOException", e);
        }
    }

    private static MethodHandle lookupInvoker() {
        try {
            return MethodHandles.lookup().findVirtual(NioHandle.ChannelCall.class, "call", MethodType.methodType(Object.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
