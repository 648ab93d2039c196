/** fiberio's Windows IOCP backend; its Win32 bindings ({@code .win32}) are not exported. */
module dev.fiberio.iocp {
    requires dev.fiberio.core;
    requires dev.fiberio.net;
    requires dev.fiberio.nativeio; // the completion core, close guard, token table; never its libc bindings
    requires org.slf4j;

    exports dev.fiberio.iocp;

    provides dev.fiberio.net.spi.NetProvider with dev.fiberio.iocp.IocpNetProvider;
}
