/** JUnit 5's {@code @FiberTest}: a test body in a fiber on a scheduler of its own. */
module dev.fiberio.junit {
    requires transitive dev.fiberio.core;
    requires transitive org.junit.jupiter.api;

    exports dev.fiberio.junit;
}
