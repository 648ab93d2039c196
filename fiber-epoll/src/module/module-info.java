/** fiberio's Linux epoll backend; its FFM bindings ({@code .ffi}) are not exported. */
module dev.fiberio.epoll {
    requires dev.fiberio.core;
    requires dev.fiberio.net;
    requires dev.fiberio.nativeio;
    requires org.slf4j;

    exports dev.fiberio.epoll;

    provides dev.fiberio.net.spi.NetProvider with dev.fiberio.epoll.EpollNetProvider;
}
