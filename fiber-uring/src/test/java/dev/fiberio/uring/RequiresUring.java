package dev.fiberio.uring;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class only where io_uring can be used; elsewhere JUnit reports it skipped with the
 * provider's {@code unavailabilityCause()} (for example "io_uring is not permitted ... seccomp"), so a
 * machine without io_uring says so by name instead of passing as if the tests ran.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(RequiresUring.Condition.class)
@interface RequiresUring {

    /** The condition behind the annotation. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Throwable cause = new UringNetProvider().unavailabilityCause();
            return cause == null ? ConditionEvaluationResult.enabled("io_uring is available")
                    : ConditionEvaluationResult.disabled("io_uring is unavailable on this machine: " + cause.getMessage());
        }
    }
}
