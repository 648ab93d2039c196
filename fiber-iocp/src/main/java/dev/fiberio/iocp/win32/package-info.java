/**
 * Win32 / Winsock bindings for the IOCP backend: the {@link dev.fiberio.iocp.win32.Win32} interface
 * (every native call goes through it), its FFM implementation
 * {@link dev.fiberio.iocp.win32.Win32Native}, the x64 struct layouts
 * ({@link dev.fiberio.iocp.win32.Overlapped}, {@link dev.fiberio.iocp.win32.OverlappedEntry},
 * {@link dev.fiberio.iocp.win32.WsaBuf}, {@link dev.fiberio.iocp.win32.WsaData},
 * {@link dev.fiberio.iocp.win32.Linger}, {@link dev.fiberio.iocp.win32.Guid},
 * {@link dev.fiberio.iocp.win32.SockAddrs}), {@link dev.fiberio.iocp.win32.Win32Constants}, and
 * {@link dev.fiberio.iocp.win32.Win32Error}, which maps error codes to {@code java.net} exceptions.
 *
 * <h2>Ownership rule for memory the kernel writes</h2>
 * Native memory handed to an overlapped operation — the OVERLAPPED, the data buffers the WSABUFs
 * point to, the AcceptEx output buffer with its address blocks, the ConnectEx address and send
 * buffer — belongs to the kernel from the call until the operation's completion has been
 * <em>dequeued</em> from the completion port (or the call reported a synchronous result and, with
 * {@code FILE_SKIP_COMPLETION_PORT_ON_SUCCESS}, queued nothing). Only then may it be freed or reused.
 * This holds on every path:
 * <ul>
 * <li><b>cancel</b>: {@code CancelIoEx} only <em>requests</em> cancellation. Keep the memory until
 *     the operation's completion arrives, usually with {@code ERROR_OPERATION_ABORTED}, possibly
 *     with success or another error if the I/O finished first. Exactly one completion arrives per
 *     started operation.</li>
 * <li><b>close</b>: {@code closesocket} aborts pending operations the same way; their completions
 *     still arrive and must be dequeued before their memory is freed.</li>
 * <li><b>failure at the call</b>: an operation that failed immediately with an error other than
 *     {@code WSA_IO_PENDING}/{@code ERROR_IO_PENDING} queues nothing; its memory is free at once.</li>
 * </ul>
 * The WSABUF array itself is copied by Winsock during the call and may be reused when the call returns.
 *
 * <h2>Errors</h2>
 * Methods of {@link dev.fiberio.iocp.win32.Win32} return raw results; the error of a failed call is
 * read with {@link dev.fiberio.iocp.win32.Win32#lastError()} on the same thread, before anything
 * else (in particular before a fiber suspension). The result of a completed overlapped operation is
 * the NTSTATUS in its completion entry; {@code WSAGetOverlappedResult} turns a failed one into a
 * Winsock error code, and {@link dev.fiberio.iocp.win32.Win32Error} into an exception.
 */
package dev.fiberio.iocp.win32;
