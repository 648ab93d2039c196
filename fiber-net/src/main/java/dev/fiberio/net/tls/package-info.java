/**
 * TLS for fibers: {@link dev.fiberio.net.tls.FiberTlsSocket} runs the JDK's {@link javax.net.ssl.SSLEngine}
 * over a {@link dev.fiberio.net.FiberSocket}, with the same blocking-looking API; in a fiber every wait
 * (handshake, read, write) suspends the fiber. {@link dev.fiberio.net.tls.FiberTlsServerSocket} wraps
 * the sockets a {@link dev.fiberio.net.FiberServerSocket} accepts.
 */
package dev.fiberio.net.tls;
