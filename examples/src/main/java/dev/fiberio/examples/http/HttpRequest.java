package dev.fiberio.examples.http;

/**
 * One parsed HTTP/1.x request head (the body, if any, is consumed by the connection).
 *
 * @param method        request method, e.g. {@code GET}
 * @param target        request target, e.g. {@code /json}
 * @param http11        true for HTTP/1.1, false for HTTP/1.0
 * @param keepAlive     whether the connection stays open after the response
 * @param contentLength body length in bytes (0 if none)
 * @param headLength    bytes the request line and headers took, including the final CRLF CRLF
 */
public record HttpRequest(String method, String target, boolean http11, boolean keepAlive,
                          long contentLength, int headLength) {
}
