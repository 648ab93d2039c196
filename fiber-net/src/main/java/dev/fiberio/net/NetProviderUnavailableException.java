package dev.fiberio.net;

/**
 * Thrown when the socket backend that was asked for (by name, through the system property
 * {@value NetProviders#PROVIDER_PROPERTY}) is unknown or cannot work on this machine. The message names
 * the reason; for an unavailable backend the cause is its
 * {@link dev.fiberio.net.spi.NetProvider#unavailabilityCause()}.
 */
public final class NetProviderUnavailableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was asked for and why it cannot be had
     * @param cause   the provider's unavailability cause, or null
     */
    public NetProviderUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
