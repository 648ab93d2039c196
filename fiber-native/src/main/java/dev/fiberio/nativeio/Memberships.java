package dev.fiberio.nativeio;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The multicast groups a UDP socket joined, per interface, as every native backend keeps them: a second
 * join of the same group on the same interface is refused before the system is asked, and a leave is
 * known to be of a joined group. Thread-safe (a concurrent set). Names no libc class: fiber-iocp uses it.
 */
public final class Memberships {
    private final Set<Membership> joined = ConcurrentHashMap.newKeySet();

    /** The system call that joins a group. */
    @FunctionalInterface
    public interface Join {
        /**
         * Joins.
         *
         * @throws IOException if the system refuses
         */
        void run() throws IOException;
    }

    /**
     * Joins {@code group} on {@code interfaze} through {@code join}, and records it if that succeeded.
     *
     * @param group     the group
     * @param interfaze the interface
     * @param join      the system call
     * @throws IOException if already a member there ("Already a member of ..."), or {@code join} failed
     */
    public void join(InetAddress group, NetworkInterface interfaze, Join join) throws IOException {
        Membership m = new Membership(group, interfaze);
        if (joined.contains(m)) {
            throw new SocketException("Already a member of " + group + " on " + interfaze.getName());
        }
        join.run();
        joined.add(m);
    }

    /**
     * Forgets a membership, before the system call that leaves the group.
     *
     * @param group     the group
     * @param interfaze the interface
     * @return whether it was joined there
     */
    public boolean remove(InetAddress group, NetworkInterface interfaze) {
        return joined.remove(new Membership(group, interfaze));
    }

    private record Membership(InetAddress group, NetworkInterface interfaze) {
    }
}
