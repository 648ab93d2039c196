package dev.fiberio.iocp;

/**
 * What a completion key leads to: an object (a socket) whose operation records completions are
 * delivered to. The {@link CompletionDispatcher} finds the target by its token, then the record by
 * the OVERLAPPED address of the completion entry, comparing addresses only: it never dereferences a
 * pointer it got from the kernel.
 */
interface CompletionTarget {
    /**
     * The record whose OVERLAPPED is at {@code overlappedAddress}.
     *
     * @param overlappedAddress the lpOverlapped of a completion entry
     * @return the record, or null if none of this target's records is there
     */
    OverlappedRecord recordAt(long overlappedAddress);

    /**
     * The Winsock error of a failed operation whose NTSTATUS {@link NtStatus} does not know: the
     * target asks Winsock (WSAGetOverlappedResult) while its socket is open.
     *
     * @param record   the completed record (its completion was dequeued, so its OVERLAPPED is final)
     * @param ntStatus the status of the completion entry
     * @return a Winsock error code, never 0
     */
    int errorOf(OverlappedRecord record, int ntStatus);
}
