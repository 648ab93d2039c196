package dev.fiberio.slf4j;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LogbackServiceProvider;
import org.slf4j.spi.MDCAdapter;

/**
 * Logback's SLF4J provider with a {@link FiberMDCAdapter}: {@code org.slf4j.MDC} and Logback's
 * {@code %X} conversion both use the per-fiber context. Select it with the system property
 * {@code slf4j.provider} (SLF4J 2.0.9 and later), which makes SLF4J load it instead of searching the
 * class path, where it would find Logback's own provider as well:
 *
 * <pre>{@code
 * java -Dslf4j.provider=dev.fiberio.slf4j.FiberLogbackServiceProvider ...
 * }</pre>
 *
 * <p>Logback configures itself as usual (logback.xml etc.). Replacing the context's MDC adapter after
 * that adds a "mdcAdapter being reset a second time" warning to Logback's status list, which is
 * expected.
 */
public class FiberLogbackServiceProvider extends LogbackServiceProvider {
    private final FiberMDCAdapter mdcAdapter = new FiberMDCAdapter();

    /** Created by SLF4J. */
    public FiberLogbackServiceProvider() {
    }

    @Override
    public void initialize() {
        super.initialize();
        ((LoggerContext) getLoggerFactory()).setMDCAdapter(mdcAdapter);
    }

    /**
     * The per-fiber adapter.
     *
     * @return the adapter that {@code org.slf4j.MDC} uses
     */
    @Override
    public MDCAdapter getMDCAdapter() {
        return mdcAdapter;
    }
}
