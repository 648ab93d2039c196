/**
 * The completion core shared by the completion-based backends (io_uring, IOCP):
 * an {@link dev.fiberio.nativeio.completion.OperationRecord} whose ownership word decides when the
 * native memory the kernel may write is freed (only after its completion was reaped, also on close
 * and cancellation), and {@link dev.fiberio.nativeio.completion.CompletionWait}, the caller's side:
 * wait, cancel-then-wait on a deadline or a fiber cancellation, throw at once on close. Completions
 * find their record through a {@link dev.fiberio.nativeio.TokenTable} token (generation and index),
 * so a stale one — for a record released and reused since — is dropped without touching memory
 * (IOCP's key is the socket's token, and the record is then found by its OVERLAPPED address).
 * Nothing here touches {@code dev.fiberio.nativeio.ffi}: the Windows backend uses this package and
 * must not load libc.
 */
package dev.fiberio.nativeio.completion;
