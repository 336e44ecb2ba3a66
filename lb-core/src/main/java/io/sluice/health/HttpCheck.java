package io.sluice.health;

import io.netty.channel.Channel;
import io.netty.util.NetUtil;
import io.sluice.config.HttpCheckConfig;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET path HTTP/1.1} with {@code Host} (the configured host, else the backend's ip:port) and
 * {@code Connection: close}; healthy when the status line's code is in [statusMin, statusMax]. Only
 * the status line is read (RFC 9112 §4), then the connection is closed: the body does not matter.
 */
final class HttpCheck implements ActiveCheck {

    private final HttpCheckConfig config;

    HttpCheck(HttpCheckConfig config) {
        this.config = config;
    }

    @Override
    public void initChannel(Channel channel, InetSocketAddress address, Probe probe) {
        channel.pipeline().addLast(new HttpStatusHandler(request(address), config.statusMin(), config.statusMax(), probe));
    }

    @Override
    public boolean doneOnConnect() {
        return false;
    }

    byte[] request(InetSocketAddress address) {
        String host = config.host() != null ? config.host() : hostHeader(address);
        String request = "GET " + config.path() + " HTTP/1.1\r\n"
                + "Host: " + host + "\r\n"
                + "User-Agent: sluice-health\r\n"
                + "Accept: */*\r\n"
                + "Connection: close\r\n"
                + "\r\n";
        return request.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** ip:port, with brackets around an IPv6 address (RFC 9110 §7.2, RFC 3986 §3.2.2). */
    static String hostHeader(InetSocketAddress address) {
        if (address.getAddress() == null) {
            return address.getHostString() + ":" + address.getPort();
        }
        String ip = NetUtil.toAddressString(address.getAddress()); // RFC 5952 form, no zone
        return (address.getAddress() instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + address.getPort();
    }
}
