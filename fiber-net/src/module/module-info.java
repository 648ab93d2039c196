/**
 * fiberio's sockets: FiberSocket, FiberServerSocket, TLS and the java.net adapters, with the portable NIO
 * backend. {@code dev.fiberio.net.spi} is public because providers can be chosen in the API.
 */
module dev.fiberio.net {
    requires transitive dev.fiberio.core;
    requires org.slf4j;

    exports dev.fiberio.net;
    exports dev.fiberio.net.tls;
    exports dev.fiberio.net.compat;
    exports dev.fiberio.net.spi;

    uses dev.fiberio.net.spi.NetProvider;
    provides dev.fiberio.net.spi.NetProvider with dev.fiberio.net.nio.NioNetProvider;
}
