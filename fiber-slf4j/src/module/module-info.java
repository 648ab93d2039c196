/** SLF4J's MDC per fiber, and a Logback provider that installs it. */
module dev.fiberio.slf4j {
    requires dev.fiberio.core;
    requires org.slf4j;
    requires static ch.qos.logback.classic; // optional: the Logback provider
    requires static ch.qos.logback.core;

    exports dev.fiberio.slf4j;
}
