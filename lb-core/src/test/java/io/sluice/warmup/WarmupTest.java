package io.sluice.warmup;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.sluice.config.ListenerConfig;
import io.sluice.config.ListenerMode;
import io.sluice.config.SluiceConfig;
import io.sluice.config.WarmupConfig;
import io.sluice.transport.Transport;
import io.sluice.yaml.ConfigException;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The warm-up through real sockets: every synthetic connection crosses the relay and comes back
 * (tcp, and tls with a ClientHello the sniffer routes), it stops at its deadline, it leaves no
 * descriptor behind, and one that cannot run does not stop the start.
 */
class WarmupTest {

    private static final Transport TRANSPORT = Transport.detect();
    private EventLoopGroup workers;

    @BeforeEach
    void loops() {
        workers = TRANSPORT.newEventLoopGroup(1, "warmup-test");
    }

    @AfterEach
    void stopLoops() {
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void everyConnectionCrossesTheRelayBothWaysAndNothingIsLeftOpen() throws Exception {
        int before = openDescriptors();
        Warmup.Result r = Warmup.run(new WarmupConfig(600, Duration.ofSeconds(30)),
                List.of(listener(ListenerMode.TCP), listener(ListenerMode.TLS)), TRANSPORT, workers);
        // completed counts only connections that read back every byte they sent, through the relay
        assertEquals(600, r.completed(), r.toString());
        assertEquals(0, r.failed(), r.toString());
        assertEquals(List.of("tcp", "tls"), r.modes());
        // the echo backend, the two listeners and every connection are closed again
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals(before, openDescriptors()));
    }

    @Test
    void tcpListenersOnlyWarmTheTcpPath() throws Exception {
        Warmup.Result r = Warmup.run(new WarmupConfig(50, Duration.ofSeconds(30)), List.of(listener(ListenerMode.TCP)),
                TRANSPORT, workers);
        assertEquals(50, r.completed());
        assertEquals(List.of("tcp"), r.modes());
    }

    @Test
    void theDeadlineEndsIt() throws Exception {
        // The deadline counts from the start of the warm-up, its set-up included.
        Warmup.Result r = Warmup.run(new WarmupConfig(10_000_000, Duration.ofSeconds(2)),
                List.of(listener(ListenerMode.TCP)), TRANSPORT, workers);
        assertTrue(r.completed() > 0 && r.completed() < 10_000_000, r.toString());
        assertTrue(r.took().compareTo(Duration.ofSeconds(2)) >= 0, r.toString());
        assertTrue(r.took().compareTo(Duration.ofSeconds(10)) < 0, "no new connection after the deadline: " + r);
    }

    @Test
    void offOrWithoutListenersItDoesNothing() throws Exception {
        assertEquals(0, Warmup.run(WarmupConfig.OFF, List.of(listener(ListenerMode.TCP)), TRANSPORT, workers).completed());
        assertEquals(0, Warmup.run(WarmupConfig.DEFAULTS, List.of(), TRANSPORT, workers).completed());
    }

    @Test
    void aWarmupThatCannotRunLetsTheStartGoOn() throws Exception {
        // NIO channels cannot register with an epoll (or io_uring) loop: the warm-up's binds fail.
        Transport other = TRANSPORT == Transport.NIO ? Transport.EPOLL : Transport.NIO;
        Warmup.Result r = Warmup.run(new WarmupConfig(50, Duration.ofSeconds(5)), List.of(listener(ListenerMode.TCP)),
                other, workers);
        assertEquals(0, r.completed());
        assertEquals(List.of(), r.modes());
    }

    @Test
    void theSyntheticConfigIsReadByTheRealReader() throws Exception {
        SluiceConfig c = Warmup.syntheticConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 4321), true);
        assertEquals(List.of("warmup-tcp", "warmup-tls"), c.listeners().stream().map(ListenerConfig::name).toList());
        assertEquals(4321, c.pools().get("warmup").backends().get(0).address().getPort());
        assertEquals(Warmup.SERVER_NAME, c.listeners().get(1).tls().routes().get(0).sni());
    }

    /** A configured listener of {@code mode}: only its mode matters to the warm-up. */
    private static ListenerConfig listener(ListenerMode mode) throws ConfigException {
        return Warmup.syntheticConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1), true)
                .listeners().get(mode == ListenerMode.TCP ? 0 : 1);
    }

    private static int openDescriptors() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }
}
