package dev.fiberio.reliability;

import dev.fiberio.net.NetProviders;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A second JVM running a main class of this test class path with fiberio's two JVM flags and the
 * {@linkplain Backend backend} of this run: for faults
 * that must not touch the test JVM (a lowered descriptor limit). Its standard output (which includes its
 * log) is collected line by line; the test talks to it through its standard input.
 */
final class ChildJvm implements AutoCloseable {
    private static final long HANG_GUARD_SECONDS = 60;

    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private ChildJvm(Process process) {
        this.process = process;
        this.reader = Thread.ofPlatform().daemon().name("child-output").start(this::collect);
    }

    /**
     * Starts {@code mainClass} with {@code args}.
     *
     * @param mainClass a class with a main method on the test class path
     * @param args      its arguments
     * @return the running child
     * @throws IOException if it cannot be started
     */
    static ChildJvm start(Class<?> mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-exports");
        command.add("java.base/jdk.internal.vm=ALL-UNNAMED");
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-Xmx256m");
        command.add("-D" + NetProviders.PROVIDER_PROPERTY + "=" + Backend.current().name()); // the backend under test
        command.add("-cp");
        // Surefire runs tests from a manifest-only jar; it names the real class path in this property.
        command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return new ChildJvm(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    private void collect() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("(output read failed: " + e + ")");
        }
    }

    /**
     * Waits (polling) for an output line that matches; fails if the child exits or the hang guard
     * passes first.
     *
     * @param what    description for the failure
     * @param matcher the condition on a line
     * @return the first matching line
     */
    String awaitLine(String what, Predicate<String> matcher) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_GUARD_SECONDS);
        for (;;) {
            String found = firstLine(matcher);
            if (found != null) {
                return found;
            }
            if (!process.isAlive() && !reader.isAlive()) {
                throw new AssertionError("child exited (" + process.exitValue() + ") before " + what + "; output:\n" + output());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for " + what + "; output:\n" + output());
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /**
     * The first output line so far that matches, or null.
     *
     * @param matcher the condition
     * @return the line or null
     */
    String firstLine(Predicate<String> matcher) {
        for (String l : lines) {
            if (matcher.test(l)) {
                return l;
            }
        }
        return null;
    }

    /**
     * How many output lines so far match.
     *
     * @param matcher the condition
     * @return the count
     */
    long countLines(Predicate<String> matcher) {
        return lines.stream().filter(matcher).count();
    }

    /**
     * Everything the child printed so far.
     *
     * @return the output
     */
    String output() {
        return String.join("\n", lines);
    }

    /**
     * CPU time the child has used so far, all threads.
     *
     * @return the total
     */
    java.time.Duration cpuTime() {
        return process.info().totalCpuDuration().orElseThrow(() -> new AssertionError("no CPU time for the child"));
    }

    /**
     * Closes the child's standard input (its signal to finish) and waits for it to exit.
     *
     * @return its exit code
     * @throws Exception if waiting fails
     */
    int finish() throws Exception {
        OutputStream stdin = process.getOutputStream();
        stdin.close();
        if (!process.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("child did not exit; output:\n" + output());
        }
        reader.join();
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
