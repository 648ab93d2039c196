package dev.fiberio.examples.cli;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Tiny {@code --name value} command-line parser shared by the examples. */
public final class Args {
    private final Map<String, String> values = new HashMap<>();
    private final boolean help;

    private Args(Map<String, String> values, boolean help) {
        this.values.putAll(values);
        this.help = help;
    }

    /**
     * Parses {@code args}; unknown names or a missing value throw {@link IllegalArgumentException}.
     *
     * @param args    the command line
     * @param allowed the accepted option names (without dashes)
     * @return the parsed options
     */
    public static Args parse(String[] args, Set<String> allowed) {
        return parse(args, allowed, Set.of());
    }

    /**
     * Parses {@code args}, where the names in {@code flags} take no value (their value is "true").
     *
     * @param args    the command line
     * @param allowed the accepted option names that take a value (without dashes)
     * @param flags   the accepted option names that take none
     * @return the parsed options
     */
    public static Args parse(String[] args, Set<String> allowed, Set<String> flags) {
        Map<String, String> v = new HashMap<>();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                help = true;
                continue;
            }
            if (a.startsWith("--") && flags.contains(a.substring(2))) {
                v.put(a.substring(2), "true");
                continue;
            }
            if (!a.startsWith("--") || !allowed.contains(a.substring(2))) {
                throw new IllegalArgumentException("unknown option '" + a + "'; try --help");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option '" + a + "' needs a value");
            }
            v.put(a.substring(2), args[++i]);
        }
        return new Args(v, help);
    }

    /**
     * Whether {@code --help} was given.
     *
     * @return true for help
     */
    public boolean help() {
        return help;
    }

    /**
     * A string option.
     *
     * @param name option name
     * @param def  default value
     * @return the value
     */
    public String string(String name, String def) {
        return values.getOrDefault(name, def);
    }

    /**
     * Whether a flag (or an option) was given.
     *
     * @param name option name
     * @return true if present
     */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /**
     * An integer option.
     *
     * @param name option name
     * @param def  default value
     * @return the value
     */
    public int integer(String name, int def) {
        String s = values.get(name);
        if (s == null) {
            return def;
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " needs a number, got '" + s + "'");
        }
    }
}
