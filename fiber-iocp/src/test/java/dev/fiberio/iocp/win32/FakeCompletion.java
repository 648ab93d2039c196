package dev.fiberio.iocp.win32;

/**
 * One completion packet of {@link FakeWin32}: what GetQueuedCompletionStatusEx will write into an
 * {@link OverlappedEntry}.
 *
 * @param port the completion port handle it is queued to
 * @param key the completion key
 * @param overlapped the OVERLAPPED address (0 for a posted packet without one)
 * @param status the NTSTATUS (0 for success)
 * @param bytes the byte count
 */
public record FakeCompletion(long port, long key, long overlapped, int status, int bytes) {
}
