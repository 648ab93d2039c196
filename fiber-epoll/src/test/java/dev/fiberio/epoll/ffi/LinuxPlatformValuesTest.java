package dev.fiberio.epoll.ffi;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles a C program with the system's gcc that prints every constant, struct size, alignment,
 * member offset and member size the Java side defines, and compares each with the Java value.
 *
 * <p>Constants are found by reflection (every {@code static final int/long} of {@link
 * LinuxConstants} and {@link Errno}, whose names are the C macro names), structs through their
 * {@link GroupLayout}s (whose member names are the C field names), so a new constant or field is
 * checked without touching this test. gcc missing is a failure, not a skip.
 */
@ExtendWith(FdCountCheck.class)
class LinuxPlatformValuesTest {

    /**
     * One value to compare: its name in the output, the C expression, the Java value, and the
     * Java type's width in bits (an {@code int} constant matches the C value's low 32 bits, so
     * {@code EPOLLET}, C's {@code 1u << 31}, matches Java's negative {@code 1 << 31}).
     */
    private record Check(String key, String cExpression, long javaValue, int bits) {

        Check(String key, String cExpression, long javaValue) {
            this(key, cExpression, javaValue, Long.SIZE);
        }

        boolean matches(long cValue) {
            return bits == Long.SIZE ? cValue == javaValue : (int) cValue == (int) javaValue;
        }
    }

    private static final String HEADERS = """
            #define _GNU_SOURCE
            #include <errno.h>
            #include <fcntl.h>
            #include <netinet/in.h>
            #include <netinet/tcp.h>
            #include <stddef.h>
            #include <stdio.h>
            #include <sys/epoll.h>
            #include <sys/eventfd.h>
            #include <sys/resource.h>
            #include <sys/socket.h>
            #include <sys/uio.h>
            """;

    @Test
    void everyJavaConstantAndLayoutMatchesTheCHeaders(@TempDir Path dir) throws Exception {
        List<Check> checks = new ArrayList<>();
        int constants = addConstants(LinuxConstants.class, checks) + addConstants(Errno.class, checks);
        assertTrue(constants >= 70, "reflection found only " + constants + " constants");
        addStruct("struct epoll_event", EpollEvent.LAYOUT, checks);
        addStruct("struct sockaddr_in", SockAddr.IN_LAYOUT, checks);
        addStruct("struct sockaddr_in6", SockAddr.IN6_LAYOUT, checks);
        addStruct("struct sockaddr_storage", SockAddr.STORAGE_LAYOUT, checks);
        addStruct("struct linger", Linger.LAYOUT, checks);
        addStruct("struct rlimit", RLimit.LAYOUT, checks);
        addStruct("struct iovec", IoVec.LAYOUT, checks);
        checks.add(new Check("SockAddr.STORAGE_SIZE", "sizeof(struct sockaddr_storage)", SockAddr.STORAGE_SIZE));
        checks.add(new Check("EpollEvent.SIZE", "sizeof(struct epoll_event)", EpollEvent.SIZE));
        checks.add(new Check("EpollEvent.DATA_OFFSET", "offsetof(struct epoll_event, data)", EpollEvent.DATA_OFFSET));
        checks.add(new Check("IoVec.SIZE", "sizeof(struct iovec)", IoVec.SIZE));

        Path source = dir.resolve("platform_values.c");
        Files.writeString(source, program(checks));
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

    private static int addConstants(Class<?> owner, List<Check> checks) throws IllegalAccessException {
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

    private static void addStruct(String cType, GroupLayout layout, List<Check> checks) {
        checks.add(new Check("sizeof(" + cType + ")", "sizeof(" + cType + ")", layout.byteSize()));
        checks.add(new Check("alignof(" + cType + ")", "_Alignof(" + cType + ")", layout.byteAlignment()));
        for (MemoryLayout member : layout.memberLayouts()) {
            if (member instanceof PaddingLayout) {
                continue;
            }
            String name = member.name().orElseThrow(() -> new AssertionError(cType + " has an unnamed member"));
            long offset = layout.byteOffset(MemoryLayout.PathElement.groupElement(name));
            checks.add(new Check("offsetof(" + cType + ", " + name + ")",
                    "offsetof(" + cType + ", " + name + ")", offset));
            checks.add(new Check("sizeof(" + cType + "." + name + ")",
                    "sizeof(((" + cType + " *) 0)->" + name + ")", member.byteSize()));
        }
    }

    private static String program(List<Check> checks) {
        StringBuilder c = new StringBuilder(HEADERS).append("\nint main(void) {\n");
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
