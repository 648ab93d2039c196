/**
 * The servers under load, each a {@code main} taking {@code --port} and {@code --threads}: fiberio's
 * example HTTP and echo servers (launched here so every contender has the same command line), their
 * Netty 4.2 epoll equivalents, and the same blocking handlers on JDK virtual threads over
 * {@link java.net.ServerSocket}. All listen on loopback by default.
 */
package dev.fiberio.bench.servers;
