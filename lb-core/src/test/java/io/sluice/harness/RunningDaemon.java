package io.sluice.harness;

import io.sluice.config.SluiceConfig;
import io.sluice.daemon.SluiceDaemon;
import io.sluice.pool.Pool;
import java.net.InetSocketAddress;
import java.time.Duration;

/** A daemon started in-process for one test, stopped (with no grace) by close(). */
public final class RunningDaemon implements AutoCloseable {

    private final SluiceDaemon daemon;

    private RunningDaemon(SluiceDaemon daemon) {
        this.daemon = daemon;
    }

    public static RunningDaemon start(SluiceConfig config) throws Exception {
        return new RunningDaemon(SluiceDaemon.start(config));
    }

    public static RunningDaemon start(TestConfigs config) throws Exception {
        return start(config.build());
    }

    /** The listener {@code main}'s address. */
    public InetSocketAddress address() {
        return daemon.boundAddress("main");
    }

    public Pool pool() {
        return daemon.pool("main");
    }

    public SluiceDaemon daemon() {
        return daemon;
    }

    /** A metric counter's value, e.g. {@code count("sluice.connections.refused", "listener", "main", "reason", "no-backend")}. */
    public double count(String name, String... tags) {
        return daemon.metrics().count(name, tags);
    }

    @Override
    public void close() {
        daemon.stop(Duration.ZERO);
    }
}
