/**
 * The service-provider interface that socket backends implement: {@link dev.fiberio.net.spi.NetProvider}
 * (found with {@link java.util.ServiceLoader}), {@link dev.fiberio.net.spi.SocketHandle} and
 * {@link dev.fiberio.net.spi.ServerSocketHandle}, plus helpers every backend shares
 * ({@link dev.fiberio.net.spi.Deadlines}, {@link dev.fiberio.net.spi.SocketErrors}).
 *
 * <p>Division of labour: the public classes {@link dev.fiberio.net.FiberSocket} and
 * {@link dev.fiberio.net.FiberServerSocket} check arguments, turn timeouts into absolute deadlines,
 * resolve host names, loop on partial writes, adapt {@code byte[]} and {@code ByteBuffer} to
 * {@link java.lang.foreign.MemorySegment}, and serialize callers so that a handle sees at most one
 * reader and one writer at a time. A handle does the I/O: it tries the operation, and if the kernel
 * says "not now" it waits (suspending a fiber, parking a plain thread) until the socket is ready, the
 * deadline passes, the caller is cancelled or the handle is closed.
 */
package dev.fiberio.net.spi;
