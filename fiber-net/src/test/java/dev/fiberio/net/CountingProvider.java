package dev.fiberio.net;

import dev.fiberio.net.spi.NetProvider;
import dev.fiberio.net.spi.ServerSocketHandle;
import dev.fiberio.net.spi.SocketHandle;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.ProtocolFamily;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A provider that wraps another and counts the calls made to its handles: the suite uses it to show
 * that bad arguments are rejected before any call reaches the backend, and that writes really were
 * partial when the send buffer is small.
 */
public final class CountingProvider implements NetProvider {
    private final NetProvider delegate;
    private final AtomicLong handleCalls = new AtomicLong();
    private final AtomicLong partialWrites = new AtomicLong();

    /**
     * Wraps {@code delegate}.
     *
     * @param delegate the provider under test
     */
    public CountingProvider(NetProvider delegate) {
        this.delegate = delegate;
    }

    /**
     * Calls made to any handle of this provider so far.
     *
     * @return the count
     */
    public long handleCalls() {
        return handleCalls.get();
    }

    /**
     * Handle writes that wrote less than they were given.
     *
     * @return the count
     */
    public long partialWrites() {
        return partialWrites.get();
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public int priority() {
        return delegate.priority();
    }

    @Override
    public boolean isAvailable() {
        return delegate.isAvailable();
    }

    @Override
    public Throwable unavailabilityCause() {
        return delegate.unavailabilityCause();
    }

    @Override
    public SocketHandle openSocket(ProtocolFamily family) throws IOException {
        return wrap(SocketHandle.class, delegate.openSocket(family));
    }

    @Override
    public ServerSocketHandle openServerSocket(ProtocolFamily family) throws IOException {
        return wrap(ServerSocketHandle.class, delegate.openServerSocket(family));
    }

    private <H> H wrap(Class<H> type, H target) {
        InvocationHandler counter = (proxy, method, args) -> invoke(target, method, args);
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, counter));
    }

    private Object invoke(Object target, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return method.invoke(target, args);
        }
        handleCalls.incrementAndGet();
        Object result;
        try {
            result = method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        if (method.getName().equals("write") && (Integer) result < ((MemorySegment) args[0]).byteSize()) {
            partialWrites.incrementAndGet();
        }
        if (result instanceof SocketHandle accepted && method.getName().equals("accept")) {
            return wrap(SocketHandle.class, accepted);
        }
        return result;
    }
}
