/** fiberio's Linux io_uring backend; its FFM bindings ({@code .ffi}) are not exported. */
module dev.fiberio.uring {
    requires dev.fiberio.core;
    requires dev.fiberio.net;
    requires dev.fiberio.nativeio;
    requires org.slf4j;

    exports dev.fiberio.uring;

    provides dev.fiberio.net.spi.NetProvider with dev.fiberio.uring.UringNetProvider;
}
