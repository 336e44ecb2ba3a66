package io.sluice.daemon;

import com.sun.management.UnixOperatingSystemMXBean;
import io.sluice.admin.AdminServer;
import io.sluice.config.SluiceConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * What the configuration may need in file descriptors, against the process's open-files limit
 * (RLIMIT_NOFILE): two per proxied connection up to {@code limits.max-connections}, plus the
 * listeners, one health-check socket per backend, the admin API's connection cap, the registry
 * clients, the handover and what the JVM holds already.
 *
 * <p>Thread: the control thread (start and reload). Like HAProxy when its maxconn is not set explicitly, a limit too low does not stop the start:
 * it is logged with the numbers, and the daemon accepts at most as many connections as the limit
 * allows ({@link #maxConnections}), so the descriptors of the admin API, health checks and
 * backends stay in reserve and the admin API answers even while the data plane is full.
 *
 * @param openFilesLimit the process's limit, or -1 when unknown (not a Unix JVM)
 * @param configured     {@code limits.max-connections}
 * @param fixed          descriptors besides the proxied connections
 */
record DescriptorBudget(long openFilesLimit, int configured, long fixed) {

    /** ZooKeeper or Consul clients, DNS, the state file: a few each. */
    private static final int REGISTRY = 16;
    /** Its socket and a session's two connections, with some room. */
    private static final int HANDOVER = 8;
    /** Spare room for what is not counted (log files rotating, a reload binding a listener twice). */
    private static final int SPARE = 32;

    /** The budget of {@code config} in this process now. */
    static DescriptorBudget of(SluiceConfig config) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        long limit = -1;
        long open = 0;
        if (os instanceof UnixOperatingSystemMXBean unix) {
            limit = unix.getMaxFileDescriptorCount();
            open = unix.getOpenFileDescriptorCount();
        }
        int backends = config.pools().values().stream().mapToInt(p -> p.backends().size()).sum();
        long fixed = open + config.listeners().size() + backends + (config.admin() == null ? 0 : AdminServer.MAX_CONNECTIONS + 1)
                + REGISTRY + HANDOVER + SPARE;
        return new DescriptorBudget(limit, config.limits().maxConnections(), fixed);
    }

    /** What the configuration may need at most. */
    long needed() {
        return 2L * configured + fixed;
    }

    /** Whether the limit covers what the configuration may need (or is unknown). */
    boolean sufficient() {
        return openFilesLimit < 0 || needed() <= openFilesLimit;
    }

    /** The connections to accept at most: the configured limit, or as many as the descriptors allow. */
    int maxConnections() {
        if (sufficient()) {
            return configured;
        }
        return (int) Math.max(1, Math.min(configured, (openFilesLimit - fixed) / 2));
    }

    /** The start-up warning when the limit is too low, with the numbers; null when it suffices. */
    String warning() {
        if (sufficient()) {
            return null;
        }
        return "the open-files limit (" + openFilesLimit + ") is below what the configuration may need (" + needed()
                + ": 2 per connection x limits.max-connections " + configured + ", plus " + fixed
                + " for listeners, health checks, the admin API, registries and the JVM); accepting at most "
                + maxConnections() + " connections so the rest stays in reserve"
                + " (raise LimitNOFILE to " + needed() + ", or lower limits.max-connections to " + maxConnections() + ")";
    }
}
