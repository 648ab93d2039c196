package app;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.net.FiberServerSocket;
import dev.fiberio.net.FiberSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/** An echo server and 100 clients in fibers, using only fiberio's public API. Exits 0 when all echoes match. */
public final class EchoApp {
    public static void main(String[] args) throws Exception {
        try (FiberScheduler scheduler = FiberScheduler.builder().workers(2).name("echo-app").build();
             FiberServerSocket server = FiberServerSocket.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = server.localAddress().getPort();
            scheduler.spawn("acceptor", () -> {
                while (true) {
                    FiberSocket s;
                    try {
                        s = server.accept();
                    } catch (IOException closed) {
                        return;
                    }
                    scheduler.spawn(() -> {
                        try (s) {
                            byte[] buf = new byte[1024];
                            for (int n; (n = s.read(buf, 0, buf.length)) > 0; ) {
                                s.write(buf, 0, n);
                            }
                        } catch (IOException e) {
                            // the client went away
                        }
                    });
                }
            });
            int clients = 100;
            Fiber[] fibers = new Fiber[clients];
            AtomicInteger ok = new AtomicInteger();
            for (int i = 0; i < clients; i++) {
                String msg = "hello " + i;
                fibers[i] = scheduler.spawn(() -> {
                    try (FiberSocket c = FiberSocket.open()) {
                        c.connect(new InetSocketAddress("127.0.0.1", port));
                        byte[] out = msg.getBytes(StandardCharsets.UTF_8);
                        c.write(out, 0, out.length);
                        byte[] in = new byte[out.length];
                        c.readFully(in, 0, in.length);
                        if (new String(in, StandardCharsets.UTF_8).equals(msg)) {
                            ok.incrementAndGet();
                        }
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
            }
            for (Fiber f : fibers) {
                f.join();
            }
            System.out.println("echo-app: " + ok.get() + " of " + clients + " echoes matched on " + FiberSocket.class.getSimpleName()
                    + " (provider " + System.getProperty("fiberio.net.provider", "default") + ")");
            if (ok.get() != clients) {
                System.exit(1);
            }
        }
    }
}
