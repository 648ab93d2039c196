package dev.fiberio.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.nativeio.ffi.LinuxConstants;
import dev.fiberio.net.FiberServerSocket;
import dev.fiberio.net.FiberSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every descriptor the epoll backend creates — listening, connecting and accepted sockets, the epoll
 * instances and their wake-up eventfds — is close-on-exec from its creating call: a child process
 * started while they are open inherits none of them. The child is started with {@code system(3)}
 * (posix_spawn, which closes nothing by itself; {@link ProcessBuilder}'s children close every
 * descriptor anyway and would prove nothing), and an eventfd created without close-on-exec shows
 * that the child's listing does reveal an inherited descriptor.
 */
@Tag("reliability")
class CloexecTest {
    private static final Pattern LS_LINE = Pattern.compile(".* (\\d+) -> (.+)$");
    private static final Pattern EPOLL_TARGET = Pattern.compile("tfd:\\s+(\\d+)\\s+events:\\s+\\S+\\s+data:\\s+(\\S+)");

    @Test
    void aChildProcessInheritsNoDescriptorOfTheBackend(@TempDir Path dir) throws Exception {
        assumeTrue(Backend.current() instanceof Backend.Epoll, "this test knows the epoll backend's descriptors (epoll instances"
                + " and their eventfds); the run uses " + Backend.current().name());
        Baseline baseline = Baseline.take(); // the shared epoll instances exist from here on
        Map<Integer, String> before = ProcessFds.snapshot();
        FiberScheduler s = TestSchedulers.create(1);
        int control = LibC.eventfd(0, 0); // deliberately inheritable: the positive control
        try (FiberServerSocket listener = FiberServerSocket.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             FiberSocket client = FiberSocket.open()) {
            client.connect(listener.localAddress());
            try (FiberSocket accepted = listener.accept()) {
                assertTrue(accepted.isOpen());
                Map<Integer, String> ours = new TreeMap<>();
                ProcessFds.snapshot().forEach((fd, target) -> {
                    if (!target.equals(before.get(fd)) && fd != control && target.startsWith("socket:")) {
                        ours.put(fd, target);
                    }
                });
                assertEquals(3, ours.size(), () -> "listener, client and accepted socket: " + ours);
                ours.putAll(epollInstancesWatching(ours));
                assertTrue(ours.values().stream().anyMatch(t -> t.contains("eventpoll")), () -> "an epoll instance: " + ours);
                assertTrue(ours.values().stream().anyMatch(t -> t.contains("eventfd")), () -> "a wake-up eventfd: " + ours);
                for (int fd : ours.keySet()) {
                    assertTrue((LibC.fcntl(fd, LinuxConstants.F_GETFD) & LinuxConstants.FD_CLOEXEC) != 0, "FD_CLOEXEC on " + fd);
                }

                Path listing = dir.resolve("child-fds.txt");
                assertEquals(0, ProcessCalls.system("ls -l /proc/self/fd > '" + listing + "'"), "the child ran");
                Map<Integer, String> inherited = parseListing(listing);

                new Report("cloexec").add("backend descriptors open", ours).add("child's descriptors", inherited).publish();
                assertEquals(ProcessFds.snapshot().get(control), inherited.get(control),
                        "the inheritable control descriptor shows up in the child (the check can see inheritance)");
                ours.forEach((fd, target) -> assertFalse(target.equals(inherited.get(fd)),
                        () -> "the child inherited " + fd + " -> " + target));
            }
        } finally {
            LibC.close(control);
            TestSchedulers.closeChecked(s);
        }
        baseline.assertRestored();
    }

    /** The epoll instances (and their wake-up eventfds) in whose interest lists any of {@code sockets} is. */
    private static Map<Integer, String> epollInstancesWatching(Map<Integer, String> sockets) throws IOException {
        Map<Integer, String> all = ProcessFds.snapshot();
        Map<Integer, String> found = new TreeMap<>();
        for (Map.Entry<Integer, String> e : all.entrySet()) {
            if (!e.getValue().contains("eventpoll")) {
                continue;
            }
            String info;
            try {
                info = Files.readString(Path.of("/proc/self/fdinfo/" + e.getKey()));
            } catch (IOException gone) {
                continue;
            }
            boolean watchesOurs = false;
            Integer wakeFd = null;
            Matcher m = EPOLL_TARGET.matcher(info);
            while (m.find()) {
                int tfd = Integer.parseInt(m.group(1));
                watchesOurs |= sockets.containsKey(tfd);
                if (m.group(2).equalsIgnoreCase("ffffffffffffffff")) { // fiberio's wake-up token, -1
                    wakeFd = tfd;
                }
            }
            if (watchesOurs) {
                found.put(e.getKey(), e.getValue());
                if (wakeFd != null) {
                    found.put(wakeFd, all.get(wakeFd));
                }
            }
        }
        return found;
    }

    private static Map<Integer, String> parseListing(Path listing) throws IOException {
        Map<Integer, String> fds = new TreeMap<>();
        for (String line : Files.readAllLines(listing)) {
            Matcher m = LS_LINE.matcher(line);
            if (m.matches()) {
                fds.put(Integer.parseInt(m.group(1)), m.group(2));
            }
        }
        return fds;
    }
}
