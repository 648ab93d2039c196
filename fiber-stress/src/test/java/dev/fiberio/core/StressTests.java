package dev.fiberio.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The jcstress tests of this module, as jcstress itself lists them (META-INF/TestList). */
final class StressTests {
    private StressTests() {
    }

    /**
     * Every {@code @JCStressTest} class. Each line of the list is {@code JCTEST} followed by
     * length-prefixed fields ({@code <length>S<text>}); the first is the test's canonical name.
     */
    static List<Class<?>> all() throws IOException, ClassNotFoundException {
        String list;
        try (InputStream in = StressTests.class.getClassLoader().getResourceAsStream("META-INF/TestList")) {
            if (in == null) {
                throw new IllegalStateException("META-INF/TestList is missing: did jcstress's annotation processor run?");
            }
            list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Class<?>> tests = new ArrayList<>();
        for (String line : list.split("\n")) {
            if (!line.startsWith("JCTEST")) {
                continue;
            }
            int s = line.indexOf('S', 6);
            int len = Integer.parseInt(line.substring(6, s));
            tests.add(load(line.substring(s + 1, s + 1 + len)));
        }
        return tests;
    }

    /** Loads a class by canonical name, nested classes included. */
    private static Class<?> load(String canonical) throws ClassNotFoundException {
        String name = canonical;
        for (;;) {
            try {
                return Class.forName(name);
            } catch (ClassNotFoundException e) {
                int dot = name.lastIndexOf('.');
                if (dot < 0) {
                    throw e;
                }
                name = name.substring(0, dot) + '$' + name.substring(dot + 1);
            }
        }
    }
}
