package io.sluice.health;

import io.netty.channel.EventLoopGroup;
import io.sluice.backend.Backend;
import io.sluice.config.HealthCheckType;
import io.sluice.config.HealthConfig;
import io.sluice.config.HttpCheckConfig;
import io.sluice.config.PassiveConfig;
import io.sluice.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Shared set-up of the health tests: the transport, a health loop, fast check configs. */
final class HealthTests {

    static final Transport TRANSPORT = Transport.detect();
    static final Duration FAST = Duration.ofMillis(100);
    static final PassiveConfig NO_PASSIVE = new PassiveConfig(0, Duration.ofSeconds(30));

    private HealthTests() {
    }

    static EventLoopGroup newGroup() {
        return TRANSPORT.newEventLoopGroup(1, "sluice-health");
    }

    static void shutdown(EventLoopGroup group) {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** Checks every 100 ms, timeout 100 ms. */
    static HealthConfig fast(HealthCheckType type, int rise, int fall) {
        return new HealthConfig(type, FAST, FAST, rise, fall, HttpCheckConfig.DEFAULTS, false);
    }

    static HealthConfig fastHttp(HttpCheckConfig http, int rise, int fall) {
        return new HealthConfig(HealthCheckType.HTTP, FAST, FAST,
                rise, fall, http, false);
    }

    static Backend backend(String name, InetSocketAddress address) {
        return new Backend(name, address, 1);
    }

    static HealthChecker checker(HealthConfig config, PassiveConfig passive, EventLoopGroup group, HealthListener listener) {
        return new HealthChecker("web", config, passive, TRANSPORT, group, listener, System::nanoTime);
    }
}
