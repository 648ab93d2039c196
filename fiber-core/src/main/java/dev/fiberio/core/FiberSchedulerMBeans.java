package dev.fiberio.core;

import java.lang.management.ManagementFactory;
import java.util.Objects;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Registers a scheduler's {@link FiberSchedulerMXBean} with JMX, so {@code jconsole}, {@code jcmd},
 * JMX exporters or Micrometer can read its counters and call its {@code dump()}:
 *
 * <pre>{@code
 * FiberScheduler scheduler = FiberScheduler.builder().name("http").build();
 * FiberSchedulerMBeans.register(scheduler);   // dev.fiberio:type=FiberScheduler,name=http
 * }</pre>
 *
 * <p>The MBean is unregistered when the scheduler closes. Registration is optional: nothing is
 * registered unless this class is called.
 */
public final class FiberSchedulerMBeans {
    /** The JMX domain of fiberio's MBeans. */
    public static final String DOMAIN = "dev.fiberio";

    private FiberSchedulerMBeans() {
    }

    /**
     * The name a scheduler's MBean is registered under: {@code dev.fiberio:type=FiberScheduler,name=<name>},
     * the name quoted if it has characters JMX reserves.
     *
     * @param scheduler the scheduler
     * @return its object name
     */
    public static ObjectName objectName(FiberScheduler scheduler) {
        String name = scheduler.name();
        boolean plain = name.chars().noneMatch(c -> ",=:*?\"\n\\".indexOf(c) >= 0);
        try {
            return new ObjectName(DOMAIN + ":type=FiberScheduler,name=" + (plain ? name : ObjectName.quote(name)));
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("scheduler name cannot be used in a JMX name: " + name, e);
        }
    }

    /**
     * Registers the scheduler's MBean with the platform MBean server. Calling it again for the same
     * scheduler returns the same name.
     *
     * @param scheduler the scheduler
     * @return the MBean's name
     * @throws IllegalStateException if another MBean has that name (two schedulers of the same name)
     * @throws java.util.concurrent.RejectedExecutionException if the scheduler is closed
     */
    public static ObjectName register(FiberScheduler scheduler) {
        return register(scheduler, ManagementFactory.getPlatformMBeanServer());
    }

    /**
     * Registers the scheduler's MBean with {@code server}.
     *
     * @param scheduler the scheduler
     * @param server    the MBean server
     * @return the MBean's name
     * @throws IllegalStateException if another MBean has that name (two schedulers of the same name), or
     *                               the scheduler's MBean is registered with another server
     * @throws java.util.concurrent.RejectedExecutionException if the scheduler is closed
     */
    public static ObjectName register(FiberScheduler scheduler, MBeanServer server) {
        Objects.requireNonNull(server, "server");
        Registration r = scheduler.service(Registration.class, s -> new Registration(s, server));
        if (r.server != server) {
            throw new IllegalStateException("the MBean of scheduler '" + scheduler.name()
                    + "' is registered with another MBean server");
        }
        return r.name;
    }

    /** The registered MBean, a service of its scheduler, so closing the scheduler unregisters it. */
    private static final class Registration implements AutoCloseable {
        final MBeanServer server;
        final ObjectName name;

        Registration(FiberScheduler scheduler, MBeanServer server) {
            this.server = server;
            this.name = objectName(scheduler);
            try {
                server.registerMBean(new SchedulerMXBeanImpl(scheduler), name);
            } catch (InstanceAlreadyExistsException e) {
                throw new IllegalStateException("an MBean named " + name + " is already registered;"
                        + " give each scheduler its own name (FiberScheduler.Builder.name)", e);
            } catch (JMException e) {
                throw new IllegalStateException("cannot register " + name, e);
            }
        }

        @Override
        public void close() throws JMException {
            try {
                server.unregisterMBean(name);
            } catch (InstanceNotFoundException alreadyGone) {
                // unregistered by someone else: nothing left to do
            }
        }
    }
}
