package io.sluice.proxy;

import io.sluice.accesslog.AccessLog;
import io.sluice.pool.Pool;
import java.time.Instant;

/**
 * What a connection gives back once its client channel has closed: its admission slots, its
 * backend's connection count and stick pin, its metrics, and its access-log line. Static and
 * stateless; called once per connection when it has ended ({@code ChannelConnection.finished},
 * {@code SocketConnection.finish}), on its event loop, which owns every field it reads.
 */
final class ConnectionEnd {

    private ConnectionEnd() {
    }

    /** Releases what {@code c} held and records how it ended ({@code refusal}: the tls sniffer's word, or null). */
    static void release(Connection c, CloseReason finalReason, String refusal) {
        FrontendSettings settings = c.settings();
        if (c.sourceAdmitted) {
            settings.limiter().releaseSource(c.client.getAddress());
        }
        if (c.globalAdmitted) {
            settings.limiter().releaseGlobal();
            settings.tracker().remove(c);
        }
        // Bytes an earlier process counted already (an adopted connection) are not counted twice.
        long up = c.bytesUp - c.bytesUpCounted;
        long down = c.bytesDown - c.bytesDownCounted;
        String backendName = null;
        if (c.established) {
            Pool.Selection selection = c.selection;
            selection.backend().connectionClosed(up, down);
            if (selection.stickEntry() != null) {
                selection.stickEntry().unpin();
            }
            backendName = selection.backend().name();
        }
        settings.metrics().closed(settings.listener(), finalReason.word());
        if (c.pool != null) {
            settings.metrics().bytes(c.pool.name(), up, down);
        }
        // A handed-over connection goes on in the other process, which logs it once, when it ends.
        if (c.handedOver || !settings.accessLog().enabled()) {
            return;
        }
        settings.accessLog().log(new AccessLog.Entry(
                Instant.now(),
                settings.listener(),
                c.client.getAddress().getHostAddress() + ":" + c.client.getPort(),
                c.serverName,
                c.pool == null ? null : c.pool.name(),
                backendName,
                c.bytesUp,
                c.bytesDown,
                c.age().toMillis(),
                finalReason.word(),
                refusal));
    }
}
