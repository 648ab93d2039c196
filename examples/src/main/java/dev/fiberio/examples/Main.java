package dev.fiberio.examples;

import dev.fiberio.examples.demo.FiberDemo;
import dev.fiberio.examples.echo.EchoClientMain;
import dev.fiberio.examples.echo.EchoServerMain;
import dev.fiberio.examples.http.HttpServerMain;
import dev.fiberio.examples.proxy.ProxyMain;
import java.util.Arrays;

/** The entry point of the examples jar: {@code java -jar fiberio-examples.jar NAME [args]}. */
public final class Main {
    private Main() {
    }

    /**
     * Runs the example named by the first argument.
     *
     * @param args {@code NAME [args]}, NAME one of http, echo-server, echo-client, proxy, demo
     * @throws Exception whatever the example throws
     */
    public static void main(String[] args) throws Exception {
        String name = args.length == 0 ? "--help" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (name) {
            case "http" -> HttpServerMain.main(rest);
            case "echo-server" -> EchoServerMain.main(rest);
            case "echo-client" -> EchoClientMain.main(rest);
            case "proxy" -> ProxyMain.main(rest);
            case "demo" -> FiberDemo.main(rest);
            default -> {
                System.out.println("usage: java -jar fiberio-examples.jar http|echo-server|echo-client|proxy|demo [--help]");
                if (!name.equals("--help") && !name.equals("-h")) {
                    System.exit(2);
                }
            }
        }
    }
}
