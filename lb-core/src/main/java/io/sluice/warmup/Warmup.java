package io.sluice.warmup;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.sluice.accesslog.AccessLog;
import io.sluice.config.ConfigLoader;
import io.sluice.config.ListenerConfig;
import io.sluice.config.ListenerMode;
import io.sluice.config.PoolConfig;
import io.sluice.config.SluiceConfig;
import io.sluice.config.WarmupConfig;
import io.sluice.limit.ConnectionLimiter;
import io.sluice.listener.Listener;
import io.sluice.metrics.ProxyMetrics;
import io.sluice.pool.Pool;
import io.sluice.proxy.ConnectObserver;
import io.sluice.proxy.ConnectionTracker;
import io.sluice.proxy.FrontendSettings;
import io.sluice.route.RouteTable;
import io.sluice.transport.Transport;
import io.sluice.yaml.ConfigException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Synthetic connections through the relay before the daemon takes traffic. Why: a JVM that has just
 * started runs the accept, connect, relay and close paths in the interpreter, and its JIT compiler
 * threads share the proxy's core with the event loop; a reconnect storm into a just-started Sluice
 * (a restart, an upgrade) took 2.5 times as long as into HAProxy, against about the same time once
 * warm (docs/performance.md, "The reconnect storm"). So the daemon first runs its own connections,
 * over loopback, through listeners of its own (a tcp one, and a tls one when the config has tls
 * listeners, with a ClientHello to sniff) to an echo backend of its own, on the event loops the real
 * listeners will use.
 *
 * <p>None of it is visible: the warm-up's listeners are on ephemeral loopback ports and closed
 * before the real ones bind, its connections have their own tracker, limiter and metrics registry,
 * and its access log writes nothing. A warm-up that cannot run (no loopback port, say) is logged
 * and the start goes on: it only makes the start faster to serve well, never possible.
 *
 * <p>Threads: {@link #run} on the starting thread (main, or the one taking over), which waits for
 * it; never on an event loop.
 */
public final class Warmup {

    private static final Logger log = LoggerFactory.getLogger(Warmup.class);

    /** The name the synthetic ClientHellos carry; {@code .invalid} is reserved (RFC 2606). */
    static final String SERVER_NAME = "warmup.sluice.invalid";
    /** Bytes a tcp warm-up connection sends and reads back: one chat line. */
    static final byte[] LINE = "warm-up line through the relay, as a chat client sends one\n".getBytes(StandardCharsets.US_ASCII);

    /** What a warm-up did. */
    public record Result(int completed, int failed, Duration took, List<String> modes) {}

    private Warmup() {}

    /**
     * Runs the warm-up {@code config} asks for, for the listener modes in {@code listeners}; returns
     * what it did (nothing when off). Never throws for a warm-up that went wrong: that is logged.
     */
    public static Result run(WarmupConfig config, List<ListenerConfig> listeners, Transport transport,
                             EventLoopGroup workers) {
        if (!config.enabled() || listeners.isEmpty()) {
            return new Result(0, 0, Duration.ZERO, List.of());
        }
        boolean tls = listeners.stream().anyMatch(lc -> lc.mode() == ListenerMode.TLS);
        long start = System.nanoTime();
        try (LoopbackEcho echo = LoopbackEcho.start(transport, workers)) {
            SluiceConfig synthetic = syntheticConfig(echo.address(), tls);
            Map<String, Pool> pools = new LinkedHashMap<>();
            for (PoolConfig pc : synthetic.pools().values()) {
                pools.put(pc.name(), new Pool(pc, System::nanoTime));
            }
            ConnectionTracker tracker = new ConnectionTracker();
            ProxyMetrics metrics = new ProxyMetrics(new SimpleMeterRegistry());
            List<Listener> bound = new ArrayList<>();
            List<WarmupClients.Target> targets = new ArrayList<>();
            try {
                for (ListenerConfig lc : synthetic.listeners()) {
                    ListenerConfig ephemeral = new ListenerConfig(lc.name(),
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), lc.mode(), lc.pool(), lc.tls(),
                            lc.acceptProxyProtocol(), lc.line());
                    Listener l = Listener.bind(ephemeral, settings(ephemeral, pools, transport, tracker, metrics),
                            transport, workers);
                    bound.add(l);
                    byte[] payload = lc.mode() == ListenerMode.TLS ? SyntheticClientHello.naming(SERVER_NAME) : LINE;
                    targets.add(new WarmupClients.Target(l.localAddress(), payload));
                }
                long deadline = start + config.maxTime().toNanos();
                WarmupClients.Outcome outcome =
                        new WarmupClients(targets, config.connections(), deadline, transport, workers).run();
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                List<String> modes = tls ? List.of("tcp", "tls") : List.of("tcp");
                report(outcome, took, modes);
                return new Result(outcome.completed(), outcome.failed(), took, modes);
            } finally {
                for (Listener l : bound) {
                    l.close().awaitUninterruptibly();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the start is being stopped: let it see that
            return new Result(0, 0, Duration.ofNanos(System.nanoTime() - start), List.of());
        } catch (Listener.BindFailedException | ConfigException | RuntimeException e) {
            log.warn("warm-up skipped: {}; the first connections run on code the JIT has not compiled yet",
                    e.getMessage());
            return new Result(0, 0, Duration.ofNanos(System.nanoTime() - start), List.of());
        }
    }

    private static void report(WarmupClients.Outcome outcome, Duration took, List<String> modes) {
        if (outcome.failed() == 0) {
            log.info("warm-up: {} connections through the relay ({}) in {} ms", outcome.completed(),
                    String.join(", ", modes), took.toMillis());
        } else {
            log.warn("warm-up: {} connections through the relay ({}) in {} ms, {} of them failed", outcome.completed(),
                    String.join(", ", modes), took.toMillis(), outcome.failed());
        }
    }

    /**
     * The warm-up's listeners and pool, read by the real config reader so that they get every default
     * a real listener gets. The listeners' ports are placeholders: they bind ephemeral ones.
     */
    static SluiceConfig syntheticConfig(InetSocketAddress echo, boolean tls) throws ConfigException {
        String tlsListener = """
                  - name: warmup-tls
                    bind: 127.0.0.1:2
                    mode: tls
                    routes:
                      - { sni: %s, pool: warmup }
                """.formatted(SERVER_NAME);
        String yaml = """
                listeners:
                  - { name: warmup-tcp, bind: 127.0.0.1:1, pool: warmup }
                %spools:
                  warmup:
                    health: { type: none }
                    backends: [ { name: echo, address: "%s:%d" } ]
                warmup: { connections: 0 }
                """.formatted(tls ? tlsListener : "", echo.getAddress().getHostAddress(), echo.getPort());
        return ConfigLoader.parse(yaml, "(warm-up)");
    }

    private static FrontendSettings settings(ListenerConfig lc, Map<String, Pool> pools, Transport transport,
                                             ConnectionTracker tracker, ProxyMetrics metrics) {
        return new FrontendSettings(lc, lc.pool() == null ? null : pools.get(lc.pool()), pools,
                lc.tls() == null ? null : RouteTable.of(lc.tls()), Duration.ofSeconds(30), transport,
                new ConnectionLimiter(100_000, 0), tracker, metrics, AccessLog.muted(), ConnectObserver.NONE);
    }
}
