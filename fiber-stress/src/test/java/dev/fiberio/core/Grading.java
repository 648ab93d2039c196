package dev.fiberio.core;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.Outcome;

/**
 * Grades a result the way jcstress does, from a test's {@link Outcome}s and those of its
 * {@link JCStressMeta} class: every outcome whose id (a regular expression) matches the whole result
 * applies; if none does, the outcome without an id does.
 */
final class Grading {
    /** One {@link Outcome} id, with its expectation and description. */
    record Case(Pattern id, Expect expect, String desc) {
    }

    private Grading() {
    }

    /** Every outcome of {@code test} (its meta class's first, as jcstress reads them), defaults included. */
    static List<Case> cases(Class<?> test) {
        List<Case> all = new ArrayList<>();
        JCStressMeta meta = test.getAnnotation(JCStressMeta.class);
        if (meta != null) {
            addCases(meta.value(), all);
        }
        addCases(test, all);
        return all;
    }

    private static void addCases(Class<?> c, List<Case> into) {
        for (Outcome o : c.getDeclaredAnnotationsByType(Outcome.class)) {
            for (String id : o.id()) {
                into.add(new Case(Pattern.compile(id), o.expect(), o.desc()));
            }
        }
    }

    /** The outcomes that apply to {@code result}. */
    static List<Case> grade(Class<?> test, String result) {
        List<Case> matched = new ArrayList<>();
        List<Case> defaults = new ArrayList<>();
        for (Case c : cases(test)) {
            if (c.id().pattern().isEmpty()) {
                defaults.add(c);
            } else if (c.id().matcher(result).matches()) {
                matched.add(c);
            }
        }
        return matched.isEmpty() ? defaults : matched;
    }

    /** Whether jcstress would pass a run in which {@code result} was observed. */
    static boolean acceptable(Class<?> test, String result) {
        List<Case> applied = grade(test, result);
        return !applied.isEmpty() && applied.stream().allMatch(c -> c.expect() == Expect.ACCEPTABLE
                || c.expect() == Expect.ACCEPTABLE_INTERESTING);
    }

    /** The descriptions of the forbidden outcomes that apply to {@code result}. */
    static List<String> forbiddenLabels(Class<?> test, String result) {
        return grade(test, result).stream().filter(c -> c.expect() == Expect.FORBIDDEN).map(Case::desc).toList();
    }
}
