package dev.fiberio.reliability;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class on the {@linkplain Backend#current() backend of the run} only where that backend can
 * be used; elsewhere (io_uring on a kernel without it, with {@code kernel.io_uring_disabled}, or behind a
 * seccomp profile such as Docker's) JUnit reports it skipped with the provider's
 * {@code unavailabilityCause()}, so such a run says by name what it did not test instead of passing.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(OnSelectedBackend.Condition.class)
@interface OnSelectedBackend {

    /** The condition behind the annotation. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Backend backend = Backend.current();
            if (backend.provider().isAvailable()) {
                return ConditionEvaluationResult.enabled("the " + backend.name() + " backend is available");
            }
            Throwable cause = backend.provider().unavailabilityCause();
            return ConditionEvaluationResult.disabled("the " + backend.name() + " backend (fiberio.net.provider="
                    + backend.name() + ") is unavailable on this machine: " + (cause == null ? "no reason given" : cause.getMessage()));
        }
    }
}
