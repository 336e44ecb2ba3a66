package io.sluice.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loopback ports for tests that must name a port before something binds it (a config file, a
 * daemon process, a handover). Anything that can bind port 0 and report its address should do that
 * instead: a port found here is free only until someone else takes it.
 *
 * <p>Why not simply bind port 0 and release it: the kernel picks that port from the ephemeral range,
 * the same range every outgoing connection of every test takes its source port from, so between the
 * release and the daemon's bind an unrelated connect could take it (a clean-clone CI run failed on
 * exactly that: "cannot bind the admin API ... Address already in use"). The ports handed out here
 * come from below the ephemeral range, where no connect lands, walking forward from an offset taken
 * from the process id so that two test JVMs rarely walk the same ports, and never handing out the
 * same port twice in one JVM.
 *
 * <p>Thread-safe: one atomic counter.
 */
public final class Ports {

    /** The lowest port handed out: clear of well-known and registered service ports people run. */
    private static final int FIRST = 20_000;

    private static final int EPHEMERAL_LOW = ephemeralLow();

    private static final AtomicInteger NEXT =
            new AtomicInteger((int) (ProcessHandle.current().pid() * 7919 % span()));

    private Ports() {}

    /** A loopback port that was free a moment ago (bound and released), outside the ephemeral range. */
    public static int freePort() {
        int span = span();
        for (int attempt = 0; attempt < span; attempt++) {
            int port = FIRST + Math.floorMod(NEXT.getAndIncrement(), span);
            if (bindable(port)) {
                return port;
            }
        }
        return kernelChosenPort(); // the whole range taken: fall back to the kernel's choice
    }

    /**
     * A loopback address nothing listens on now, so a connect to it is refused: for a backend that is
     * down or a registry that is unreachable.
     */
    public static InetSocketAddress deadAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort());
    }

    private static int span() {
        return Math.max(1, EPHEMERAL_LOW - FIRST);
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    private static int kernelChosenPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /** The bottom of the kernel's ephemeral port range (Linux's default 32768 where it cannot be read). */
    private static int ephemeralLow() {
        try {
            // readAllLines, not readString: for a file that reports size 0, readString reads one byte
            // first, and a sysctl file answers the next read (at offset 1) with end-of-file: it
            // returned "3" of "32768\t60999" here.
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
            int low = Integer.parseInt(range.split("\\s+")[0]);
            return low > FIRST + 1000 ? low : FIRST + 1000;
        } catch (IOException | RuntimeException unreadable) {
            return 32_768;
        }
    }
}
