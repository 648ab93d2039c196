/**
 * Sockets for fibers: {@link dev.fiberio.net.FiberSocket} and {@link dev.fiberio.net.FiberServerSocket}
 * read, write, connect and accept as if blocking; in a fiber they suspend the fiber while they wait,
 * on a plain thread they park it. They follow {@code java.net.Socket}'s semantics where they apply.
 *
 * <p>The I/O is done by a backend, a {@link dev.fiberio.net.spi.NetProvider} found with
 * {@link java.util.ServiceLoader} and chosen by {@link dev.fiberio.net.NetProviders}: epoll on Linux,
 * IOCP on Windows, and a portable NIO backend everywhere (the fallback).
 */
package dev.fiberio.net;
