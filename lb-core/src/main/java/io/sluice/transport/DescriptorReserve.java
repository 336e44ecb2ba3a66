package io.sluice.transport;

import com.sun.management.UnixOperatingSystemMXBean;
import io.netty.channel.Channel;
import io.netty.channel.unix.UnixChannel;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.concurrent.TimeUnit;

/**
 * The last few descriptors below the process's open-files limit, kept for the admin API, health
 * checks and the control plane: the data plane (client connections and their backend sockets) may
 * not use them, so {@code /healthz} and the admin API answer even when clients have used up every
 * other descriptor (a limit lowered under a running daemon, descriptors held elsewhere).
 *
 * <p>How: the kernel hands out the lowest free descriptor, so a new socket numbered
 * {@code limit - SIZE} or higher means every descriptor below it is in use. The data plane closes
 * such a socket at once ({@link #holds}); the admin API and health checks use it. No descriptor is
 * held idle, and the check costs a comparison: the limit (getrlimit) is re-read at most once a
 * second, so a limit changed with {@code prlimit} counts within a second.
 *
 * <p>Thread-safe: event loops ask, the limit is a racy-but-benign cache of two volatiles.
 */
public final class DescriptorReserve {

    /** Descriptors kept: a few admin connections, a health check per backend in flight, /proc reads. */
    public static final int SIZE = 32;
    private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

    private static volatile long limit = -1;
    private static volatile long readAt;

    private DescriptorReserve() {}

    /**
     * Whether {@code ch}'s descriptor lies in the reserve: the data plane must close it. Always false
     * for channels without a descriptor of their own (NIO) and when the limit is unknown.
     */
    public static boolean holds(Channel ch) {
        if (!(ch instanceof UnixChannel unix)) {
            return false;
        }
        long max = limit();
        return max > 0 && unix.fd().intValue() >= max - reserved(max);
    }

    /** The descriptors kept for {@code max}: {@link #SIZE}, at most an eighth of a small limit. */
    public static long reserved(long max) {
        return Math.min(SIZE, max / 8);
    }

    /** The process's open-files limit (soft RLIMIT_NOFILE), or -1 when unknown; at most a second old. */
    public static long limit() {
        long now = System.nanoTime();
        long cached = limit;
        if (cached != -1 && now - readAt < REFRESH_NANOS) {
            return cached;
        }
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        long read = os instanceof UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -2;
        readAt = now;
        limit = read;
        return read;
    }
}
