package dev.fiberio.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Snapshots of a scheduler's live fibers, and their text and JSON renderings. The JSON has the shape of
 * the JDK's thread dump ({@code jcmd <pid> Thread.dump_to_file -format=json}): one thread container per
 * scheduler whose "threads" are its fibers, so tools that read JDK thread dumps read it too.
 */
final class FiberDump {
    private FiberDump() {
    }

    /** Snapshots of {@code live}, ordered by id; suspended fibers' stacks are read while they are held INSPECTING. */
    static List<FiberScheduler.FiberInfo> snapshot(Collection<Fiber> live) {
        List<Fiber> all = new ArrayList<>(live);
        all.sort(Comparator.comparingLong(Fiber::id));
        List<FiberScheduler.FiberInfo> out = new ArrayList<>(all.size());
        for (Fiber f : all) {
            out.add(new FiberScheduler.FiberInfo(f.id(), f.name(), f.state(), List.of(f.stackTrace())));
        }
        return out;
    }

    static String text(String scheduler, int workers, List<FiberScheduler.FiberInfo> infos) {
        StringBuilder sb = new StringBuilder();
        sb.append("FiberScheduler '").append(scheduler).append("': ").append(workers).append(" workers, ")
                .append(infos.size()).append(" live fibers\n");
        for (FiberScheduler.FiberInfo i : infos) {
            sb.append("#").append(i.id()).append(" '").append(i.name()).append("' ").append(i.state()).append('\n');
            for (StackTraceElement e : i.stack()) {
                sb.append("    at ").append(e).append('\n');
            }
        }
        return sb.toString();
    }

    static String json(String scheduler, List<FiberScheduler.FiberInfo> infos) {
        StringBuilder sb = new StringBuilder(256 + 256 * infos.size());
        sb.append("{\n  \"threadDump\": {\n");
        sb.append("    \"processId\": \"").append(ProcessHandle.current().pid()).append("\",\n");
        sb.append("    \"time\": \"").append(Instant.now()).append("\",\n");
        sb.append("    \"runtimeVersion\": \"").append(escape(Runtime.version().toString())).append("\",\n");
        sb.append("    \"threadContainers\": [\n      {\n");
        sb.append("        \"container\": \"").append(escape("dev.fiberio.FiberScheduler/" + scheduler)).append("\",\n");
        sb.append("        \"parent\": \"<root>\",\n        \"owner\": null,\n        \"threads\": [");
        for (int t = 0; t < infos.size(); t++) {
            FiberScheduler.FiberInfo i = infos.get(t);
            sb.append(t == 0 ? "\n" : ",\n");
            sb.append("          {\n            \"tid\": \"").append(i.id()).append("\",\n");
            sb.append("            \"name\": \"").append(escape(i.name())).append("\",\n");
            sb.append("            \"state\": \"").append(i.state()).append("\",\n");
            sb.append("            \"stack\": [");
            List<StackTraceElement> stack = i.stack();
            for (int k = 0; k < stack.size(); k++) {
                sb.append(k == 0 ? "\n" : ",\n").append("              \"").append(escape(stack.get(k).toString())).append('"');
            }
            sb.append(stack.isEmpty() ? "]\n" : "\n            ]\n").append("          }");
        }
        sb.append(infos.isEmpty() ? "],\n" : "\n        ],\n");
        sb.append("        \"threadCount\": \"").append(infos.size()).append("\"\n      }\n    ]\n  }\n}\n");
        return sb.toString();
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
