package dev.fiberio.net;

import dev.fiberio.net.spi.NetProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Finds the socket backends ({@link NetProvider}s registered with {@link ServiceLoader}) and chooses
 * one: the one named by the system property {@value #PROVIDER_PROPERTY} if set, else the available
 * provider with the highest priority.
 */
public final class NetProviders {
    /** System property naming the provider to use, e.g. {@code -Dfiberio.net.provider=nio}. */
    public static final String PROVIDER_PROPERTY = "fiberio.net.provider";

    private NetProviders() {
    }

    /**
     * Every provider on the class path, available or not, highest priority first.
     *
     * @return an unmodifiable list
     */
    public static List<NetProvider> all() {
        return Loaded.ALL;
    }

    /**
     * The provider to use: the one named by {@value #PROVIDER_PROPERTY}, or the available one with the
     * highest priority. Evaluated on each call (cheap; the providers are loaded once).
     *
     * @return the provider
     * @throws NetProviderUnavailableException if the named provider is unknown or unavailable, or none
     *                                         is available
     */
    public static NetProvider defaultProvider() {
        return select(all(), System.getProperty(PROVIDER_PROPERTY));
    }

    /**
     * The provider called {@code name}, which must be available.
     *
     * @param name a provider name such as "nio"
     * @return the provider
     * @throws NetProviderUnavailableException if it is unknown or unavailable (with the reason)
     */
    public static NetProvider byName(String name) {
        return select(all(), Objects.requireNonNull(name, "name"));
    }

    /**
     * The selection rule, on an explicit list (for tests).
     *
     * @param providers the candidates
     * @param requested the requested name, or null (or blank) for "the best available"
     * @return the chosen provider
     */
    static NetProvider select(List<NetProvider> providers, String requested) {
        if (requested != null && !requested.isBlank()) {
            String name = requested.strip();
            for (NetProvider p : providers) {
                if (p.name().equals(name)) {
                    if (!p.isAvailable()) {
                        Throwable cause = p.unavailabilityCause();
                        throw new NetProviderUnavailableException("fiberio net provider '" + name + "' is unavailable on this machine: "
                                + (cause == null ? "no reason given" : cause), cause);
                    }
                    return p;
                }
            }
            throw new NetProviderUnavailableException("no fiberio net provider named '" + name + "' (from " + PROVIDER_PROPERTY
                    + "); known: " + describe(providers), null);
        }
        return providers.stream()
                .filter(NetProvider::isAvailable)
                .max(Comparator.comparingInt(NetProvider::priority))
                .orElseThrow(() -> new NetProviderUnavailableException("no fiberio net provider is available; known: "
                        + describe(providers), null));
    }

    private static String describe(List<NetProvider> providers) {
        if (providers.isEmpty()) {
            return "none (is fiber-net on the class path?)";
        }
        return providers.stream()
                .map(p -> p.name() + (p.isAvailable() ? "" : " (unavailable: " + p.unavailabilityCause() + ")"))
                .collect(Collectors.joining(", "));
    }

    /** The providers, loaded once. */
    private static final class Loaded {
        static final List<NetProvider> ALL = load();

        private static List<NetProvider> load() {
            List<NetProvider> list = new ArrayList<>();
            ServiceLoader.load(NetProvider.class, NetProvider.class.getClassLoader()).forEach(list::add);
            list.sort(Comparator.comparingInt(NetProvider::priority).reversed());
            return List.copyOf(list);
        }
    }
}
