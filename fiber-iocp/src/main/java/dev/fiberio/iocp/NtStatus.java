package dev.fiberio.iocp;

import static dev.fiberio.iocp.win32.Win32Constants.*;

/**
 * Turns the NTSTATUS of a completion entry ({@code OVERLAPPED_ENTRY.Internal}) into the Winsock
 * error that WSAGetOverlappedResult would report, for the statuses a socket's operations commonly
 * end with. The dispatcher uses this table rather than WSAGetOverlappedResult because the most
 * frequent failure, an aborted operation, arrives after closesocket, when the socket handle may
 * already name another socket. Unknown statuses go to {@link CompletionTarget#errorOf}.
 *
 * <p>The pairs are those of the AFD/Winsock translation as other IOCP libraries document it (for
 * example libuv's {@code uv_ntstatus_to_winsock_error} in src/win/winsock.c), except that a
 * cancelled operation, and one aborted by closesocket (STATUS_REQUEST_ABORTED), report
 * {@code WSA_OPERATION_ABORTED}, as the CancelIoEx page ("GetLastError returns ERROR_OPERATION_ABORTED")
 * and the closesocket page ("fail with the error status WSA_OPERATION_ABORTED") say. An operation aborted
 * by closesocket may also complete with STATUS_LOCAL_DISCONNECT (WSAECONNABORTED): callers therefore
 * decide "socket closed" by the socket's state, never by the status alone. A datagram receive that
 * truncated its datagram completes with the warning STATUS_BUFFER_OVERFLOW and the bytes copied, which
 * WSAGetOverlappedResult reports as WSAEMSGSIZE. {@code FakeWin32.winsockError}
 * models the same table.
 */
final class NtStatus {
    /** Returned by {@link #toWinsockError} for a status this table does not know. */
    static final int UNKNOWN = -1;

    private NtStatus() {
    }

    /**
     * The Winsock error for {@code status}.
     *
     * @param status a completion entry's NTSTATUS
     * @return 0 for STATUS_SUCCESS, a Winsock error code, or {@link #UNKNOWN}
     */
    static int toWinsockError(int status) {
        return switch (status) {
            case STATUS_SUCCESS -> 0;
            case STATUS_CANCELLED, STATUS_REQUEST_ABORTED -> WSA_OPERATION_ABORTED;
            case STATUS_CONNECTION_RESET, STATUS_REMOTE_DISCONNECT -> WSAECONNRESET;
            case STATUS_CONNECTION_REFUSED -> WSAECONNREFUSED;
            case STATUS_CONNECTION_ABORTED, STATUS_LOCAL_DISCONNECT -> WSAECONNABORTED;
            case STATUS_IO_TIMEOUT -> WSAETIMEDOUT;
            case STATUS_BUFFER_OVERFLOW -> WSAEMSGSIZE;
            default -> UNKNOWN;
        };
    }
}
