package dev.fiberio.examples.http;

/** A request the server refuses with an error status; the connection is closed after the answer. */
public final class HttpException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    /**
     * Creates the exception.
     *
     * @param status the HTTP status to answer with
     * @param reason why (also sent as the response body)
     */
    public HttpException(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    /**
     * The HTTP status to answer with.
     *
     * @return the status
     */
    public int status() {
        return status;
    }
}
