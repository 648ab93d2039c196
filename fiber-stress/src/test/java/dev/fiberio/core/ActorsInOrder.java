package dev.fiberio.core;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;

/**
 * Runs a jcstress test's actors one after another on the calling thread, in a given order, then its
 * arbiter, and returns the result as jcstress prints it: the interleavings at actor granularity, made
 * deterministic.
 */
final class ActorsInOrder {
    private ActorsInOrder() {
    }

    /** The test's actor names, sorted. */
    static List<String> actors(Class<?> test) {
        return Arrays.stream(test.getDeclaredMethods()).filter(m -> m.isAnnotationPresent(Actor.class))
                .map(Method::getName).sorted().toList();
    }

    /** Every order of the test's actors. */
    static List<List<String>> allOrders(Class<?> test) {
        List<List<String>> out = new ArrayList<>();
        permute(new ArrayList<>(actors(test)), 0, out);
        return out;
    }

    private static void permute(List<String> a, int k, List<List<String>> out) {
        if (k == a.size()) {
            out.add(List.copyOf(a));
            return;
        }
        for (int i = k; i < a.size(); i++) {
            java.util.Collections.swap(a, k, i);
            permute(a, k + 1, out);
            java.util.Collections.swap(a, k, i);
        }
    }

    /** Runs a fresh state's actors in {@code order}, then the arbiter; returns the result's text. */
    static String run(Class<?> test, List<String> order) throws Exception {
        Object state = test.getConstructor().newInstance();
        Method arbiter = Arrays.stream(test.getDeclaredMethods()).filter(m -> m.isAnnotationPresent(Arbiter.class))
                .findFirst().orElseThrow();
        Object result = arbiter.getParameterTypes()[0].getConstructor().newInstance();
        for (String name : order) {
            Method actor = Arrays.stream(test.getDeclaredMethods())
                    .filter(m -> m.getName().equals(name) && m.isAnnotationPresent(Actor.class))
                    .min(Comparator.comparing(Method::getParameterCount)).orElseThrow();
            invoke(actor, state, result);
        }
        invoke(arbiter, state, result);
        return result.toString();
    }

    private static void invoke(Method m, Object state, Object result) throws Exception {
        if (m.getParameterCount() == 0) {
            m.invoke(state);
        } else {
            m.invoke(state, result);
        }
    }
}
