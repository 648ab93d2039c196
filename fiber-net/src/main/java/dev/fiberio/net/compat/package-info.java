/**
 * Adapters that let code written for {@code java.net} run on fiber sockets: {@link
 * dev.fiberio.net.compat.FiberSocketFactory}, a {@link javax.net.SocketFactory} for blocking client
 * libraries.
 */
package dev.fiberio.net.compat;
