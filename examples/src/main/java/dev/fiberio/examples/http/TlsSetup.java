package dev.fiberio.examples.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The HTTP example's TLS keys: from a key store file, or a self-signed certificate made at start by
 * the running JDK's {@code keytool} (its private key lives only in memory; the certificate is written
 * as PEM so that clients can be told to trust it).
 */
public final class TlsSetup {
    private TlsSetup() {
    }

    /**
     * A server context and its certificate.
     *
     * @param context        the server's TLS context
     * @param certificate    its certificate
     * @param certificatePem the PEM file of the certificate, or null when loaded from a key store
     */
    public record Keys(SSLContext context, Certificate certificate, Path certificatePem) {
        /**
         * The certificate's SHA-256 fingerprint, as browsers and curl show it.
         *
         * @return hex with colons
         * @throws GeneralSecurityException if SHA-256 is missing
         */
        public String fingerprint() throws GeneralSecurityException {
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        }
    }

    /**
     * Loads a key store (PKCS12 or JKS) holding the server's key and certificate chain.
     *
     * @param file     the key store
     * @param password its password, also the key's
     * @return the keys
     * @throws IOException              if it cannot be read or the password is wrong
     * @throws GeneralSecurityException if it holds no usable key
     */
    public static Keys fromKeyStore(Path file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(file.toFile(), password);
        String alias = null;
        for (String a : java.util.Collections.list(ks.aliases())) {
            if (ks.isKeyEntry(a)) {
                alias = a;
                break;
            }
        }
        if (alias == null) {
            throw new GeneralSecurityException("no private key in " + file);
        }
        return new Keys(context(ks, password), ks.getCertificate(alias), null);
    }

    /**
     * Makes a self-signed certificate for {@code names} (DNS names and IP addresses, the first is the
     * subject's CN), valid 30 days, and writes it as PEM to a new temporary directory.
     *
     * @param names host names and addresses the certificate is for
     * @return the keys
     * @throws IOException              if keytool fails
     * @throws GeneralSecurityException if the generated store cannot be used
     */
    public static Keys selfSigned(List<String> names) throws IOException, GeneralSecurityException {
        Path dir = Files.createTempDirectory("fiberio-https");
        dir.toFile().deleteOnExit();
        Path store = dir.resolve("self-signed.p12");
        char[] password = HexFormat.of().formatHex(java.security.SecureRandom.getSeed(16)).toCharArray();
        List<String> san = new ArrayList<>();
        for (String n : names) {
            san.add((n.matches("[0-9.]+") || n.contains(":") ? "ip:" : "dns:") + n);
        }
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "fiberio-http", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=" + names.getFirst(), "-ext", "SAN=" + String.join(",", san),
                "-validity", "30", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", new String(password), "-keypass", new String(password))
                .redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool failed: " + out);
            }
            Keys keys = fromKeyStore(store, password);
            Path pem = dir.resolve("certificate.pem");
            Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.certificate().getEncoded())
                    + "\n-----END CERTIFICATE-----\n");
            pem.toFile().deleteOnExit();
            return new Keys(keys.context(), keys.certificate(), pem);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running keytool", e);
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(store);
        }
    }

    private static SSLContext context(KeyStore ks, char[] password) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }
}
