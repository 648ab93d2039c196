/**
 * FFM bindings to the Linux C library shared by fiberio's Linux backends (epoll, io_uring): eventfd, sockets,
 * socket options, fcntl and resource limits, plus the struct layouts and constants they need.
 *
 * <h2>Return convention</h2>
 * {@link dev.fiberio.nativeio.ffi.LibC} wrappers return the system call's result on success and
 * {@code -errno} on failure, like the raw kernel ABI. Test {@code result < 0}; {@code -EAGAIN} from a
 * non-blocking read, write or accept is the normal "wait for readiness" signal, not an error. When a
 * failure is exceptional, {@link dev.fiberio.nativeio.ffi.Errno#toException(String, int)} turns the
 * negated result into the {@code java.net} exception a socket user expects. With native segments,
 * nothing on the success or the {@code -errno} path allocates.
 *
 * <h2>Ownership of native memory</h2>
 * <ul>
 *   <li>errno is captured with {@code Linker.Option.captureCallState("errno")} into a segment owned by
 *       the calling thread, together with a few bytes of per-thread scratch (one
 *       int option, one socklen_t). It is allocated once per thread from an automatic arena and freed
 *       by the GC after the thread has terminated.</li>
 *   <li>Every other segment is the caller's: socket addresses ({@link dev.fiberio.nativeio.ffi.SockAddr}), iovecs, option structs and data
 *       buffers. The {@code allocate} helpers take the {@link java.lang.foreign.Arena} that owns the
 *       memory; no method keeps a reference to a segment after it returns.</li>
 *   <li>Memory arguments must be native segments, except the buffers of {@code read} and
 *       {@code write}, which are linked as critical functions and also accept heap segments
 *       ({@code byte[]}) without copying. Critical calls hold off the GC while they run, so they are
 *       only for non-blocking fds.</li>
 * </ul>
 *
 * <h2>File descriptors</h2>
 * fds are plain {@code int}s owned by whoever created them; these bindings never close an fd
 * implicitly. Create them with {@code SOCK_NONBLOCK|SOCK_CLOEXEC} (or {@code EFD_*} / {@code
 * EPOLL_CLOEXEC}) in the creating call, never with a later fcntl.
 */
package dev.fiberio.nativeio.ffi;
