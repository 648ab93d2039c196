/**
 * SLF4J integration: {@link dev.fiberio.slf4j.FiberMDCAdapter}, an MDC whose context follows the
 * fiber across workers, and {@link dev.fiberio.slf4j.FiberLogbackServiceProvider}, which installs it
 * for Logback.
 */
package dev.fiberio.slf4j;
