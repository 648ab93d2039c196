package dev.fiberio.examples.http;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.examples.cli.Args;
import dev.fiberio.net.NetProviders;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the HTTP/1.1 example server; Ctrl-C shuts it down gracefully. */
public final class HttpServerMain {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServerMain.class);

    private HttpServerMain() {
    }

    /**
     * Entry point.
     *
     * @param argv see {@code --help}
     * @throws Exception if the server cannot start
     */
    public static void main(String[] argv) throws Exception {
        Args args;
        try {
            args = Args.parse(argv, Set.of("host", "port", "workers", "idle-timeout", "request-timeout", "write-timeout",
                    "keystore", "keystore-password"), Set.of("tls"));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (args.help()) {
            System.out.println("""
                    usage: HttpServerMain [--host localhost] [--port 8080] [--workers <cpus>] [--idle-timeout 30]
                                          [--request-timeout 20] [--write-timeout 30]
                                          [--tls [--keystore FILE --keystore-password PASS]]
                    Serves HTTP/1.1 with keep-alive and pipelining:
                      GET /       -> text/plain "Hello, World!"
                      GET /json   -> {"message":"Hello, World!"}
                    --idle-timeout:    seconds an idle keep-alive connection is kept
                    --request-timeout: seconds a begun request may take to arrive (then 408)
                    --write-timeout:   seconds a write may wait for a client that does not read
                    --tls:             serve HTTPS; with --keystore, the key and certificate of that
                                       PKCS12 or JKS file, else a self-signed certificate made at start
                                       (its PEM file is logged: curl --cacert FILE, or curl -k)
                    Ctrl-C stops it.""");
            return;
        }
        String host = args.string("host", "localhost");
        int port = args.integer("port", 8080);
        int workers = args.integer("workers", Runtime.getRuntime().availableProcessors());
        HttpLimits defaults = HttpLimits.defaults();
        HttpLimits limits = defaults
                .withIdleTimeout(Duration.ofSeconds(args.integer("idle-timeout", (int) defaults.idleTimeout().toSeconds())))
                .withRequestTimeout(Duration.ofSeconds(args.integer("request-timeout", (int) defaults.requestTimeout().toSeconds())))
                .withWriteTimeout(Duration.ofSeconds(args.integer("write-timeout", (int) defaults.writeTimeout().toSeconds())));
        SSLContext tls = null;
        if (args.has("tls")) {
            TlsSetup.Keys keys = tlsKeys(args, host);
            tls = keys.context();
            LOG.info("TLS certificate {} (SHA-256 {}){}", ((X509Certificate) keys.certificate()).getSubjectX500Principal().getName(),
                    keys.fingerprint(), keys.certificatePem() == null ? "" : ", self-signed, PEM in " + keys.certificatePem());
        } else if (args.has("keystore")) {
            System.err.println("--keystore needs --tls");
            System.exit(2);
            return;
        }
        FiberScheduler scheduler = FiberScheduler.builder().name("http").workers(workers)
                .shutdownTimeout(Duration.ofSeconds(5)).build();
        HttpServer server = new HttpServer(scheduler, new InetSocketAddress(host, port), limits, tls);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down: {} connections, {} requests served", server.connections(), server.requests());
            server.close();
            scheduler.close();
            stopped.countDown();
        }, "http-shutdown"));
        LOG.info("listening on {}://{}:{}/ ({} backend, {} workers); Ctrl-C to stop",
                tls == null ? "http" : "https", host, server.address().getPort(), NetProviders.defaultProvider().name(), workers);
        stopped.await();
    }

    /** The keys of {@code --keystore}, or a self-signed certificate for localhost and {@code host}. */
    private static TlsSetup.Keys tlsKeys(Args args, String host) throws IOException, GeneralSecurityException {
        String store = args.string("keystore", null);
        if (store != null) {
            return TlsSetup.fromKeyStore(Path.of(store), args.string("keystore-password", "").toCharArray());
        }
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        if (!host.isEmpty() && !host.equals("0.0.0.0") && !host.equals("::")) {
            names.add(host);
        }
        return TlsSetup.selfSigned(List.copyOf(names));
    }
}
