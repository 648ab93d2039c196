package dev.fiberio.net.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Self-signed key pairs made at test time by the running JDK's {@code keytool} (nothing secret is
 * committed): {@link #SERVER} (CN=localhost, SAN localhost and 127.0.0.1), {@link #CLIENT} and
 * {@link #STRANGER} (a certificate nobody trusts). Each is generated once per JVM.
 */
public final class TestCertificates {
    /** The password of the generated key stores and keys. */
    public static final char[] PASSWORD = "test-only".toCharArray();
    /** The server's keys. */
    public static final KeyStore SERVER;
    /** A client's keys, for client authentication. */
    public static final KeyStore CLIENT;
    /** Keys of a party no test trusts. */
    public static final KeyStore STRANGER;

    static {
        try {
            List<KeyStore> stores = generate(List.of(
                    new String[] {"server", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1"},
                    new String[] {"client", "CN=fiberio test client", null},
                    new String[] {"stranger", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1"}));
            SERVER = stores.get(0);
            CLIENT = stores.get(1);
            STRANGER = stores.get(2);
        } catch (IOException | GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private TestCertificates() {
    }

    /**
     * A TLS context with {@code keys} (null for none) that trusts exactly the certificates of {@code trusted}.
     *
     * @param keys    the own key store, or null
     * @param trusted key stores whose certificates to trust
     * @return the context
     */
    public static SSLContext context(KeyStore keys, KeyStore... trusted) {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            KeyStore own = keys != null ? keys : emptyStore();
            kmf.init(own, PASSWORD);
            KeyStore trust = emptyStore();
            for (KeyStore t : trusted) {
                String alias = t.aliases().nextElement();
                trust.setCertificateEntry(alias, certificate(t));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The certificate of a generated key store.
     *
     * @param keys the store
     * @return its certificate
     * @throws GeneralSecurityException never in practice
     */
    public static Certificate certificate(KeyStore keys) throws GeneralSecurityException {
        return keys.getCertificate(keys.aliases().nextElement());
    }

    private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        return ks;
    }

    /** Runs one keytool per entry (alias, dname, extension or null) in parallel and loads the stores. */
    private static List<KeyStore> generate(List<String[]> specs) throws IOException, GeneralSecurityException {
        Path dir = Files.createTempDirectory("fiberio-tls-test");
        try {
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            List<Process> processes = new ArrayList<>();
            for (String[] spec : specs) {
                List<String> cmd = new ArrayList<>(List.of(keytool.toString(), "-genkeypair", "-alias", spec[0],
                        "-keyalg", "EC", "-groupname", "secp256r1", "-dname", spec[1], "-validity", "2",
                        "-storetype", "PKCS12", "-keystore", dir.resolve(spec[0] + ".p12").toString(),
                        "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)));
                if (spec[2] != null) {
                    cmd.addAll(List.of("-ext", spec[2]));
                }
                processes.add(new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(dir.resolve(spec[0] + ".log").toFile()).start());
            }
            List<KeyStore> stores = new ArrayList<>();
            for (int i = 0; i < specs.size(); i++) {
                Process p = processes.get(i);
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    p.destroyForcibly();
                    throw new IOException("keytool failed: " + Files.readString(dir.resolve(specs.get(i)[0] + ".log")));
                }
                KeyStore ks = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(dir.resolve(specs.get(i)[0] + ".p12"))) {
                    ks.load(in, PASSWORD);
                }
                stores.add(ks);
            }
            return stores;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while generating certificates", e);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
    }
}
