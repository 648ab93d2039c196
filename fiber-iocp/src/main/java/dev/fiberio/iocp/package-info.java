/**
 * The Windows socket backend: an I/O completion port polled by several threads at once, and TCP
 * sockets whose operations are overlapped calls (WSARecv, WSASend, AcceptEx, ConnectEx).
 *
 * <p>{@link dev.fiberio.iocp.IocpNetProvider} is the only public type. Inside: a group
 * ({@code IocpGroup}) owns the port ({@code CompletionPort}), its poller threads ({@code IocpPoller})
 * and a pool of operation records ({@code OverlappedRecord}: an OVERLAPPED with the operation's own
 * buffer, on the completion core's {@link dev.fiberio.nativeio.completion.OperationRecord}, whose
 * ownership rule keeps its memory alive until the kernel is done with it).
 * A poller routes each dequeued completion by its key and OVERLAPPED address to its record
 * ({@code CompletionDispatcher}), which stores the result and signals the waiting fiber's
 * {@link dev.fiberio.core.spi.WaitSlot}; the slot's handshake makes a completion that arrives while the
 * fiber is still switching out safe. The waiting side, the token table of completion keys, the close
 * guard of handles and the log throttle are the completion core's (module fiber-native), none of
 * which loads its libc bindings. Every Win32 call goes through
 * {@link dev.fiberio.iocp.win32.Win32}, so all of this also runs on the in-memory fake of the tests.
 * See {@code docs/iocp.md} for the design.
 */
package dev.fiberio.iocp;
