package dev.fiberio.iocp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * fiber-iocp shares the completion core with the Linux backends (module fiber-native), whose
 * {@code dev.fiberio.nativeio.ffi} classes link libc symbols when they are initialised: on Windows that
 * would fail. So no class fiber-iocp can reach may name one. Checked on the bytecode: every class of
 * fiber-iocp, and transitively every fiberio class it names (in its constant pool, descriptors included),
 * must not name a class of {@code dev.fiberio.nativeio.ffi}, nor {@code NativeFd} (libc's close).
 */
class NoLibcOnTheIocpPathTest {
    private static final String FIBERIO = "dev/fiberio/";
    private static final Set<String> FORBIDDEN_PREFIXES = Set.of("dev/fiberio/nativeio/ffi/", "dev/fiberio/nativeio/NativeFd",
            "dev/fiberio/epoll/", "dev/fiberio/uring/");

    @Test
    void noClassReachableFromFiberIocpNamesTheLibcBindings() throws IOException, URISyntaxException {
        Path classes = Path.of(IocpNetProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Deque<String> work = new ArrayDeque<>();
        try (Stream<Path> files = Files.walk(classes)) {
            files.filter(p -> p.toString().endsWith(".class"))
                    .map(p -> classes.relativize(p).toString().replace('\\', '/'))
                    .map(n -> n.substring(0, n.length() - ".class".length()))
                    .forEach(work::add);
        }
        assertTrue(work.contains("dev/fiberio/iocp/IocpChannel"), "fiber-iocp's classes found in " + classes);
        Set<String> seen = new TreeSet<>(work);
        TreeMap<String, String> violations = new TreeMap<>(); // forbidden name -> a class that names it
        while (!work.isEmpty()) {
            String name = work.pop();
            for (String referenced : referencedFiberioClasses(name)) {
                if (FORBIDDEN_PREFIXES.stream().anyMatch(referenced::startsWith)) {
                    violations.putIfAbsent(referenced, name);
                } else if (seen.add(referenced)) {
                    work.push(referenced);
                }
            }
        }
        assertEquals(new TreeMap<String, String>(), violations, "libc-bound classes reachable from fiber-iocp (-> named by)");
        assertTrue(seen.contains("dev/fiberio/nativeio/completion/OperationRecord")
                && seen.contains("dev/fiberio/nativeio/completion/CompletionWait")
                && seen.contains("dev/fiberio/nativeio/TokenTable") && seen.contains("dev/fiberio/nativeio/CloseGuard")
                && seen.contains("dev/fiberio/nativeio/RateLimitedLog"), "the walk reaches the shared core: " + seen);
    }

    /** The fiberio classes {@code name}'s constant pool names: class entries and types inside descriptors. */
    private static Set<String> referencedFiberioClasses(String name) {
        Set<String> out = new TreeSet<>();
        ClassModel model;
        try (InputStream in = ClassLoader.getSystemResourceAsStream(name + ".class")) {
            assertNotNull(in, "class file of " + name);
            model = ClassFile.of().parse(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (PoolEntry e : model.constantPool()) {
            if (e instanceof ClassEntry c) {
                String n = c.asInternalName();
                int array = n.lastIndexOf('[');
                if (array >= 0) {
                    n = n.substring(array + 1).replaceFirst("^L(.*);$", "$1");
                }
                if (n.startsWith(FIBERIO)) {
                    out.add(n);
                }
            } else if (e instanceof Utf8Entry u) {
                String s = u.stringValue();
                for (int i = s.indexOf("L" + FIBERIO); i >= 0; i = s.indexOf("L" + FIBERIO, i + 1)) {
                    int end = i + 1;
                    while (end < s.length() && s.charAt(end) != ';' && s.charAt(end) != '<') {
                        end++; // a descriptor or generic signature: the name ends at ';' or at its type arguments
                    }
                    out.add(s.substring(i + 1, end));
                }
            }
        }
        out.remove(name);
        return out;
    }
}
