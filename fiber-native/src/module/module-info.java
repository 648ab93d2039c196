/** What fiberio's native backends share: libc bindings, the close guard, token table, completion core. */
module dev.fiberio.nativeio {
    requires dev.fiberio.core;
    requires dev.fiberio.net;
    requires org.slf4j;

    exports dev.fiberio.nativeio to dev.fiberio.epoll, dev.fiberio.uring, dev.fiberio.iocp;
    exports dev.fiberio.nativeio.ffi to dev.fiberio.epoll, dev.fiberio.uring;
    exports dev.fiberio.nativeio.completion to dev.fiberio.uring, dev.fiberio.iocp;
}
