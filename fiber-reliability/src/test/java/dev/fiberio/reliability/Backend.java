package dev.fiberio.reliability;

import dev.fiberio.epoll.EpollNetProvider;
import dev.fiberio.net.NetProviders;
import dev.fiberio.net.spi.NetProvider;
import dev.fiberio.uring.UringNetProvider;

/**
 * The socket backend a reliability run uses, chosen like fiberio chooses it ({@code fiberio.net.provider};
 * the suites default to epoll), with the backend's own counters, so that each suite checks what the
 * backend it runs on holds: its open descriptors, the events or completions it dropped as stale, and,
 * for a completion backend, its operation records (native memory the kernel may write until it gives
 * them back).
 */
sealed interface Backend permits Backend.Epoll, Backend.Uring {
    /**
     * The backend of this run.
     *
     * @return epoll unless {@code fiberio.net.provider} names another backend
     * @throws IllegalArgumentException for a provider the suites do not know
     */
    static Backend current() {
        String name = System.getProperty(NetProviders.PROVIDER_PROPERTY, "epoll").strip();
        return switch (name) {
            case "epoll", "" -> Epoll.INSTANCE;
            case "uring" -> Uring.INSTANCE;
            default -> throw new IllegalArgumentException("the reliability suites run on epoll or uring, not '" + name
                    + "' (" + NetProviders.PROVIDER_PROPERTY + ")");
        };
    }

    /**
     * The provider's name, as {@code fiberio.net.provider} spells it.
     *
     * @return e.g. "uring"
     */
    default String name() {
        return provider().name();
    }

    /**
     * The provider itself.
     *
     * @return the provider
     */
    NetProvider provider();

    /**
     * Descriptors the backend opened and has not closed yet.
     *
     * @return the count
     */
    long openDescriptors();

    /**
     * What {@link #staleDropped()} counts, for reports.
     *
     * @return e.g. "stale events dropped"
     */
    String staleWhat();

    /**
     * Events (epoll) or completions (io_uring) dropped because they concerned a socket or an operation that
     * is gone, since the JVM started.
     *
     * @return the count
     */
    long staleDropped();

    /**
     * Operation records whose native memory the backend has not given back yet; 0 for a readiness backend,
     * which has none.
     *
     * @return the count
     */
    long liveRecords();

    /**
     * Whether a socket closed while another descriptor still holds its open file goes on reporting under
     * its old identity: epoll's registration belongs to the open file, not the number, so its events keep
     * coming (and must be dropped as stale); io_uring reports only the operations it was given, and the
     * close cancels those.
     *
     * @return true for epoll
     */
    boolean closedSocketKeepsReporting();

    /** The epoll backend: readiness, no operation records. */
    final class Epoll implements Backend {
        static final Epoll INSTANCE = new Epoll();
        private static final NetProvider PROVIDER = new EpollNetProvider();

        private Epoll() {
        }

        @Override
        public NetProvider provider() {
            return PROVIDER;
        }

        @Override
        public long openDescriptors() {
            return EpollNetProvider.openDescriptors();
        }

        @Override
        public String staleWhat() {
            return "stale events dropped";
        }

        @Override
        public long staleDropped() {
            return EpollNetProvider.staleEventsDropped();
        }

        @Override
        public long liveRecords() {
            return 0;
        }

        @Override
        public boolean closedSocketKeepsReporting() {
            return true;
        }
    }

    /** The io_uring backend: completions, one record per operation direction. */
    final class Uring implements Backend {
        static final Uring INSTANCE = new Uring();
        private static final NetProvider PROVIDER = new UringNetProvider();

        private Uring() {
        }

        @Override
        public NetProvider provider() {
            return PROVIDER;
        }

        @Override
        public long openDescriptors() {
            return UringNetProvider.openDescriptors();
        }

        @Override
        public String staleWhat() {
            return "stale completions dropped";
        }

        @Override
        public long staleDropped() {
            return UringNetProvider.staleCompletionsDropped();
        }

        @Override
        public long liveRecords() {
            return UringNetProvider.liveRecords();
        }

        @Override
        public boolean closedSocketKeepsReporting() {
            return false;
        }
    }
}
