package io.sluice.tls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A tls listener refuses the connection before any backend is chosen: the relay writes
 * {@link #alertRecord} first when there is an alert to send, then closes. Also the user event the
 * channel relay's sniffer fires before it closes, so the access log can say why.
 *
 * @param reason     why, as counted in {@code sluice_tls_refused_total{reason}}
 * @param detail     short human text for debug logs
 * @param serverName the SNI the client sent when its ClientHello was read (no-route), else null
 * @param alert      the TLS AlertDescription to send (RFC 8446 §6), or 0 for none: an alert means
 *                   something only to a TLS client (not for plain bytes or a silent client)
 */
public record HelloRefused(TlsRefusal reason, String detail, String serverName, byte alert) implements HelloVerdict {

    /** TLS AlertDescription values (RFC 8446 §6). */
    static final byte ALERT_HANDSHAKE_FAILURE = 40;
    static final byte ALERT_DECODE_ERROR = 50;
    static final byte ALERT_UNRECOGNIZED_NAME = 112;

    /**
     * The alert as one fatal TLS record (TLS 1.2 record version, as every TLS 1.3 peer accepts), in
     * native memory so a bare socket can write it as it is; the caller releases it. Only when
     * {@code alert != 0}.
     */
    public ByteBuf alertRecord() {
        return ByteBufAllocator.DEFAULT.directBuffer(7).writeBytes(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, alert});
    }
}
