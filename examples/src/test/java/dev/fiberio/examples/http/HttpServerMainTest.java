package dev.fiberio.examples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * The HTTP example as a user starts it: a separate JVM running the examples' main, answered over
 * TCP (and, with {@code --tls}, HTTPS), then stopped with SIGTERM (Ctrl-C's SIGINT runs the same
 * shutdown hook): the JVM exits.
 */
class HttpServerMainTest {

    @Test
    void startsAnswersAndStopsOnSigterm() throws Exception {
        try (Server server = Server.start()) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port)) {
                s.getOutputStream().write("GET /json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertTrue(response.startsWith("HTTP/1.1 200 OK") && response.endsWith("{\"message\":\"Hello, World!\"}"),
                        response);
            }
            server.stop();
        }
    }

    @Test
    void withTlsServesHttpsWithTheSelfSignedCertificateItLogs() throws Exception {
        try (Server server = Server.start("--tls")) {
            String logged = server.lines.stream().filter(l -> l.contains("PEM in ")).findFirst().orElseThrow();
            Path pem = Path.of(logged.substring(logged.indexOf("PEM in ") + 7).trim());
            Certificate cert;
            try (InputStream in = Files.newInputStream(pem)) {
                cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server", cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            try (HttpClient client = HttpClient.newBuilder().sslContext(ctx).version(HttpClient.Version.HTTP_1_1).build()) {
                for (String host : List.of("localhost", "127.0.0.1")) { // the certificate names both
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://" + host + ":" + server.port + "/json")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, r.statusCode());
                    assertEquals("{\"message\":\"Hello, World!\"}", r.body());
                    assertEquals("TLSv1.3", r.sslSession().orElseThrow().getProtocol());
                }
            }
            try (HttpClient untrusting = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                assertThrows(SSLHandshakeException.class, () -> untrusting.send(
                        HttpRequest.newBuilder(URI.create("https://localhost:" + server.port + "/")).build(),
                        HttpResponse.BodyHandlers.ofString()), "the default trust store does not trust a self-signed certificate");
            }
            server.stop();
        }
    }

    /** The examples' main in a separate JVM, started until it logs that it listens. */
    private static final class Server implements AutoCloseable {
        final int port;
        final Process process;
        final List<String> lines;
        final Thread reader;

        private Server(int port, Process process, List<String> lines, Thread reader) {
            this.port = port;
            this.process = process;
            this.lines = lines;
            this.reader = reader;
        }

        static Server start(String... extra) throws Exception {
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            }
            Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
            List<String> cmd = new ArrayList<>(List.of(javaBin.toString(),
                    "--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), "dev.fiberio.examples.Main",
                    "http", "--host", "127.0.0.1", "--port", Integer.toString(port), "--workers", "2"));
            cmd.addAll(List.of(extra));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            CompletableFuture<Void> listening = new CompletableFuture<>();
            List<String> lines = Collections.synchronizedList(new ArrayList<>());
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                        if (line.contains("listening on")) {
                            listening.complete(null);
                        }
                    }
                } catch (IOException e) {
                    listening.completeExceptionally(e);
                }
                listening.completeExceptionally(new IllegalStateException("the server exited: " + lines));
            });
            reader.start();
            Server s = new Server(port, p, lines, reader);
            try {
                listening.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                s.close();
                throw e;
            }
            return s;
        }

        /** SIGTERM (Ctrl-C's SIGINT runs the same shutdown hook): the JVM exits. */
        void stop() throws Exception {
            process.destroy();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the server exits after SIGTERM");
            reader.join(10_000);
            assertEquals(143, process.exitValue(), "ended by SIGTERM: " + lines);
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }
}
