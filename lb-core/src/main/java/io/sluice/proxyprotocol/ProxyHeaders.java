package io.sluice.proxyprotocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import io.sluice.config.ProxyProtocolVersion;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Builds the PROXY protocol header Sluice sends to a backend before the client's bytes, so a
 * backend that terminates TLS still learns the real client address.
 *
 * <p>v2 also carries the SNI the client asked for in a {@code PP2_TYPE_AUTHORITY} TLV (as HAProxy
 * does), when there was one. Both addresses must be of one family: an IPv4 client on a dual-stack
 * listener is described with IPv4 addresses on both sides, else IPv6 (IPv4-mapped where needed).
 */
public final class ProxyHeaders {

    private ProxyHeaders() {}

    /** The header for {@code version} (not OFF); the caller writes (and so releases) it. */
    public static HAProxyMessage header(ProxyProtocolVersion version, InetSocketAddress client,
                                        InetSocketAddress destination, String serverName) {
        InetAddress src = client.getAddress();
        InetAddress dst = destination.getAddress();
        InetAddress src4 = asIpv4(src);
        InetAddress dst4 = asIpv4(dst);
        boolean ipv4 = src4 != null && dst4 != null;
        InetAddress s = ipv4 ? src4 : asIpv6(src);
        InetAddress d = ipv4 ? dst4 : asIpv6(dst);
        HAProxyProxiedProtocol protocol = ipv4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6;
        if (version == ProxyProtocolVersion.V1) {
            return new HAProxyMessage(HAProxyProtocolVersion.V1, HAProxyCommand.PROXY, protocol,
                    s.getHostAddress(), d.getHostAddress(), client.getPort(), destination.getPort());
        }
        List<HAProxyTLV> tlvs = serverName == null
                ? List.of()
                : List.of(new HAProxyTLV(HAProxyTLV.Type.PP2_TYPE_AUTHORITY,
                        Unpooled.copiedBuffer(serverName, StandardCharsets.US_ASCII)));
        return new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY, protocol,
                s.getHostAddress(), d.getHostAddress(), client.getPort(), destination.getPort(), tlvs);
    }

    /**
     * The header's bytes, for a relay that writes to a bare socket rather than through a channel
     * with Netty's encoder in its pipeline. The caller releases them.
     */
    public static ByteBuf encoded(HAProxyMessage header) {
        EmbeddedChannel encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        encoder.writeOutbound(header); // the encoder releases the message
        ByteBuf bytes = encoder.readOutbound();
        encoder.finishAndReleaseAll();
        return bytes;
    }

    private static InetAddress asIpv4(InetAddress a) {
        if (a instanceof Inet4Address) {
            return a;
        }
        byte[] b = a.getAddress();
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return null;
            }
        }
        if (b[10] != (byte) 0xff || b[11] != (byte) 0xff) {
            return null;
        }
        return byAddress(new byte[] {b[12], b[13], b[14], b[15]});
    }

    private static InetAddress asIpv6(InetAddress a) {
        if (a instanceof Inet6Address) {
            return a;
        }
        byte[] v4 = a.getAddress();
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(v4, 0, mapped, 12, 4);
        try {
            return Inet6Address.getByAddress(null, mapped, -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InetAddress byAddress(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
