/**
 * The portable socket backend on JDK NIO: non-blocking {@link java.nio.channels.SocketChannel}s and
 * {@link java.nio.channels.ServerSocketChannel}s, and one {@link java.nio.channels.Selector} thread per
 * {@link dev.fiberio.core.FiberScheduler} that wakes the {@link dev.fiberio.core.spi.WaitSlot}s of waiting
 * fibers and threads. It runs wherever the JDK does (macOS, BSDs, Linux, Windows) and has the lowest
 * priority: the native epoll and IOCP backends win where they are available. Select it explicitly
 * with {@code -Dfiberio.net.provider=nio}.
 */
package dev.fiberio.net.nio;
