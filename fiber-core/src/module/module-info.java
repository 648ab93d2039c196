/**
 * fiberio's core: fibers, the scheduler, fiber-aware synchronisation and JFR events. The backend SPI
 * ({@code dev.fiberio.core.spi}) is exported only to fiberio's own modules. Needs
 * {@code --add-exports java.base/jdk.internal.vm=dev.fiberio.core} at run time, and for the monitor check
 * {@code --add-opens java.base/java.lang=dev.fiberio.core} or {@code -XX:LockingMode=1}.
 */
module dev.fiberio.core {
    requires org.slf4j;
    requires jdk.jfr;
    requires java.management;

    exports dev.fiberio.core;
    exports dev.fiberio.core.sync;
    exports dev.fiberio.core.jfr;
    exports dev.fiberio.core.spi to dev.fiberio.net, dev.fiberio.nativeio, dev.fiberio.epoll, dev.fiberio.uring, dev.fiberio.iocp, dev.fiberio.slf4j, dev.fiberio.junit;
}
