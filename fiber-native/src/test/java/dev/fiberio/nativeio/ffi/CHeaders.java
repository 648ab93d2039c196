package dev.fiberio.nativeio.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares Java constants and struct layouts with the C headers: collects checks, writes a C program
 * that prints every C value, compiles it with the system's gcc, runs it and asserts that each value
 * matches. gcc missing is a failure, not a skip. Used by every backend's layout test.
 */
public final class CHeaders {

    /**
     * One value to compare: its name in the output, the C expression, the Java value, and the
     * Java type's width in bits (an {@code int} constant matches the C value's low 32 bits, so
     * {@code EPOLLET}, C's {@code 1u << 31}, matches Java's negative {@code 1 << 31}).
     */
    private record Check(String key, String cExpression, long javaValue, int bits) {
        boolean matches(long cValue) {
            return bits == Long.SIZE ? cValue == javaValue : (int) cValue == (int) javaValue;
        }
    }

    private final String headers;
    private final List<Check> checks = new ArrayList<>();

    /**
     * @param headers the C preamble: {@code #define}s and {@code #include}s
     */
    public CHeaders(String headers) {
        this.headers = headers;
    }

    /**
     * Adds every {@code public static final int/long} field of {@code owner}, whose name is the C
     * macro or enumerator name.
     *
     * @param owner the class of constants
     * @return the number of constants added
     */
    public int addConstants(Class<?> owner) throws IllegalAccessException {
        int added = 0;
        for (Field field : owner.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            boolean constant = Modifier.isPublic(modifiers) && Modifier.isStatic(modifiers) && Modifier.isFinal(modifiers);
            if (constant && (field.getType() == int.class || field.getType() == long.class)) {
                int bits = field.getType() == int.class ? Integer.SIZE : Long.SIZE;
                checks.add(new Check(field.getName(), field.getName(), ((Number) field.get(null)).longValue(), bits));
                added++;
            }
        }
        return added;
    }

    /**
     * Adds size, alignment and each named member's offset and size of a struct layout, whose member
     * names are the C field names.
     *
     * @param cType  e.g. {@code "struct iovec"}
     * @param layout the Java layout
     */
    public void addStruct(String cType, GroupLayout layout) {
        add("sizeof(" + cType + ")", "sizeof(" + cType + ")", layout.byteSize());
        add("alignof(" + cType + ")", "_Alignof(" + cType + ")", layout.byteAlignment());
        for (MemoryLayout member : layout.memberLayouts()) {
            if (member instanceof PaddingLayout) {
                continue;
            }
            String name = member.name().orElseThrow(() -> new AssertionError(cType + " has an unnamed member"));
            long offset = layout.byteOffset(MemoryLayout.PathElement.groupElement(name));
            add("offsetof(" + cType + ", " + name + ")", "offsetof(" + cType + ", " + name + ")", offset);
            add("sizeof(" + cType + "." + name + ")", "sizeof(((" + cType + " *) 0)->" + name + ")", member.byteSize());
        }
    }

    /**
     * Adds one value.
     *
     * @param key         its name in the report
     * @param cExpression the C expression
     * @param javaValue   the Java value
     */
    public void add(String key, String cExpression, long javaValue) {
        checks.add(new Check(key, cExpression, javaValue, Long.SIZE));
    }

    /**
     * Compiles and runs the program in {@code dir} and asserts that every value matches.
     *
     * @param dir a temporary directory
     */
    public void verify(Path dir) throws IOException, InterruptedException {
        Path source = dir.resolve("platform_values.c");
        Files.writeString(source, program());
        Path binary = dir.resolve("platform_values");
        String gcc = findOnPath("gcc");
        run(List.of(gcc, "-std=gnu11", "-Wall", "-o", binary.toString(), source.toString()), "gcc");
        Map<String, Long> cValues = parse(run(List.of(binary.toString()), "the compiled program"));
        List<String> mismatches = new ArrayList<>();
        for (Check check : checks) {
            Long c = cValues.get(check.key());
            if (c == null) {
                mismatches.add(check.key() + ": not printed by the C program");
            } else if (!check.matches(c)) {
                mismatches.add(check.key() + ": Java " + check.javaValue() + ", C " + c);
            }
        }
        assertTrue(mismatches.isEmpty(), () -> mismatches.size() + " of " + checks.size()
                + " values differ from the C headers:\n  " + String.join("\n  ", mismatches));
        assertEquals(checks.size(), cValues.size(), "one output line per check");
    }

    private String program() {
        StringBuilder c = new StringBuilder(headers).append("\nint main(void) {\n");
        for (Check check : checks) {
            c.append("    printf(\"%s=%lld\\n\", \"").append(check.key())
                    .append("\", (long long) (").append(check.cExpression()).append("));\n");
        }
        return c.append("    return 0;\n}\n").toString();
    }

    private static Map<String, Long> parse(String output) {
        Map<String, Long> values = new HashMap<>();
        for (String line : output.split("\n")) {
            int eq = line.lastIndexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1).trim()));
            }
        }
        return values;
    }

    private static String findOnPath(String program) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String directory : path.split(File.pathSeparator)) {
                Path candidate = Path.of(directory, program);
                if (Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        return fail(program + " not found on PATH (" + path + "): this test compiles a C program to check "
                + "every FFM constant and struct layout against the platform headers; install gcc");
    }

    /** Runs a command to completion and returns its combined output; fails on a non-zero exit. */
    private static String run(List<String> command, String what) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int exit = process.waitFor();
        assertEquals(0, exit, () -> what + " failed: " + String.join(" ", command) + "\n" + output);
        return output;
    }
}
