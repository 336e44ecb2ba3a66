package io.sluice.transport;

import com.sun.management.UnixOperatingSystemMXBean;
import io.netty.channel.Channel;
import io.netty.channel.unix.UnixChannel;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The last few descriptors below the process's open-files limit, kept for the admin API, health
 * checks and the control plane: the data plane (client connections and their backend sockets) may
 * not use them, so {@code /healthz} and the admin API answer even when clients have used up every
 * other descriptor (a limit lowered under a running daemon, descriptors held elsewhere).
 *
 * <p>How: the kernel hands out the lowest free descriptor, so a new socket numbered
 * {@code limit - SIZE} or higher means every descriptor below it is in use. The data plane closes
 * such a socket at once ({@link #holds}); the admin API and health checks use it. No descriptor is
 * held idle, and the check costs one getrlimit call per new socket, read each time so that a
 * limit lowered with {@code prlimit} counts from the next socket on (a cached limit would let the
 * connections of one stale interval take the reserve for as long as they live).
 *
 * <p>Thread-safe and stateless: event loops ask.
 */
public final class DescriptorReserve {

    /** Descriptors kept: a few admin connections, a health check per backend in flight, /proc reads. */
    public static final int SIZE = 32;
    /** Why the data plane gave a socket up (for its log line). */
    public static final String KEPT = "only the descriptors kept for the admin API and health checks are free";
    /** Null off Unix: then nothing is reserved. */
    private static final UnixOperatingSystemMXBean OS = unixBean();

    private DescriptorReserve() {}

    /**
     * Whether {@code ch}'s descriptor lies in the reserve: the data plane must close it. Always false
     * for channels without a descriptor of their own (NIO) and when the limit is unknown.
     */
    public static boolean holds(Channel ch) {
        if (!(ch instanceof UnixChannel unix)) {
            return false;
        }
        return holds(unix.fd().intValue());
    }

    /** Whether descriptor {@code fd} lies in the reserve: the data plane must close it. */
    public static boolean holds(int fd) {
        long max = limit();
        return max > 0 && fd >= max - reserved(max);
    }

    /** The descriptors kept for {@code max}: {@link #SIZE}, at most an eighth of a small limit. */
    public static long reserved(long max) {
        return Math.min(SIZE, max / 8);
    }

    /** The process's open-files limit now (soft RLIMIT_NOFILE), or -1 when unknown. */
    public static long limit() {
        return OS == null ? -1 : OS.getMaxFileDescriptorCount();
    }

    private static UnixOperatingSystemMXBean unixBean() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof UnixOperatingSystemMXBean unix ? unix : null;
    }
}
