package io.sluice.health;

import io.netty.channel.Channel;
import io.sluice.config.HealthConfig;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLException;

/** What one kind of active check does on its channel. Implementations are stateless and shared by a pool's probes. */
interface ActiveCheck {

    /**
     * Adds the check's handlers to a new probe channel (on the health event loop, before connect).
     * They end the probe with {@link Probe#finish(String)}.
     */
    void initChannel(Channel channel, InetSocketAddress address, Probe probe);

    /** Whether a completed connect is itself the success (tcp). */
    boolean doneOnConnect();

    /** The check for {@code config}, or null for type none. */
    static ActiveCheck of(HealthConfig config) throws SSLException {
        return switch (config.type()) {
            case TCP -> TcpCheck.INSTANCE;
            case HTTP -> new HttpCheck(config.http());
            case TLS_HELLO -> new TlsHelloCheck(config.verifyCertificate());
            case NONE -> null;
        };
    }
}
