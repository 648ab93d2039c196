package dev.fiberio.iocp;

import dev.fiberio.iocp.win32.Win32;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Win32} that forwards every call to another one, counts calls by method name and runs a
 * test's hook right after a chosen method returned (on the calling thread, before the caller sees
 * the result), e.g. to dispatch a completion between WSARecv returning "pending" and the caller
 * starting to wait. The error a call left is captured before its hook runs, so a hook's own calls
 * do not change what the caller's {@code lastError()} reads.
 */
final class CountingWin32 implements InvocationHandler {
    private final Win32 target;
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final Map<String, Runnable> hooks = new ConcurrentHashMap<>();
    private final ThreadLocal<int[]> lastError = ThreadLocal.withInitial(() -> new int[1]);

    private CountingWin32(Win32 target) {
        this.target = target;
    }

    /** Wraps {@code target}; {@link #of} finds the counter of the returned proxy. */
    static Win32 wrap(Win32 target) {
        return (Win32) Proxy.newProxyInstance(Win32.class.getClassLoader(), new Class<?>[] {Win32.class},
                new CountingWin32(target));
    }

    /** The counter behind a proxy made by {@link #wrap}. */
    static CountingWin32 of(Win32 proxy) {
        return (CountingWin32) Proxy.getInvocationHandler(proxy);
    }

    /** How many times {@code method} was called. */
    int count(String method) {
        AtomicInteger n = counts.get(method);
        return n == null ? 0 : n.get();
    }

    /** Runs {@code hook} after each later call of {@code method} (null removes it). */
    void after(String method, Runnable hook) {
        if (hook == null) {
            hooks.remove(method);
        } else {
            hooks.put(method, hook);
        }
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return method.invoke(this, args);
        }
        if (method.getName().equals("lastError")) {
            return lastError.get()[0];
        }
        Object result;
        try {
            result = method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        int error = target.lastError();
        counts.computeIfAbsent(method.getName(), k -> new AtomicInteger()).incrementAndGet();
        Runnable hook = hooks.get(method.getName());
        if (hook != null) {
            hook.run();
        }
        lastError.get()[0] = error;
        return result;
    }
}
