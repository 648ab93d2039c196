package dev.fiberio.net;

import dev.fiberio.net.spi.NetProvider;
import dev.fiberio.net.spi.ServerSocketHandle;
import dev.fiberio.net.spi.SocketHandle;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.ProtocolFamily;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A provider that wraps another and counts the calls made to its handles: the suite uses it to show
 * that bad arguments are rejected before any call reaches the backend. It can also cap each handle
 * write, so that every backend (even one whose writes always complete, like IOCP) returns partial
 * writes and the write-all loop above it is exercised.
 */
public final class CountingProvider implements NetProvider {
    private final NetProvider delegate;
    private final long writeCap;
    private final AtomicLong handleCalls = new AtomicLong();
    private final AtomicLong partialWrites = new AtomicLong();

    /**
     * Wraps {@code delegate}.
     *
     * @param delegate the provider under test
     */
    public CountingProvider(NetProvider delegate) {
        this(delegate, Long.MAX_VALUE);
    }

    /**
     * Wraps {@code delegate}, passing at most {@code writeCap} bytes to each handle write.
     *
     * @param delegate the provider under test
     * @param writeCap the largest write handed to the backend
     */
    public CountingProvider(NetProvider delegate, long writeCap) {
        this.delegate = delegate;
        this.writeCap = writeCap;
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
        boolean write = method.getName().equals("write");
        long requested = 0;
        if (write && args.length == 2) { // write(MemorySegment, deadline)
            requested = ((MemorySegment) args[0]).byteSize();
            if (requested > writeCap) {
                args[0] = ((MemorySegment) args[0]).asSlice(0, writeCap);
            }
        } else if (write && args[0] instanceof ByteBuffer[] srcs) { // gathering: capped, it writes one buffer's part
            int first = (Integer) args[1];
            while (!srcs[first].hasRemaining()) {
                first++;
            }
            for (int i = first; i < (Integer) args[1] + (Integer) args[2]; i++) {
                requested += srcs[i].remaining();
            }
            if (requested > writeCap) {
                MemorySegment part = MemorySegment.ofBuffer(srcs[first]);
                args = new Object[] {part.asSlice(0, Math.min(writeCap, part.byteSize())), args[3]};
                method = SocketHandle.class.getMethod("write", MemorySegment.class, long.class);
            }
        } else if (write) { // write(byte[] or MemorySegment, offset, length, deadline)
            requested = ((Number) args[2]).longValue();
            if (requested > writeCap) {
                args[2] = args[0] instanceof byte[] ? (Object) (int) writeCap : (Object) writeCap;
            }
        }
        Object result;
        try {
            result = method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        if (write && ((Number) result).longValue() < requested) {
            partialWrites.incrementAndGet();
        }
        if (result instanceof SocketHandle accepted && method.getName().equals("accept")) {
            return wrap(SocketHandle.class, accepted);
        }
        return result;
    }
}
