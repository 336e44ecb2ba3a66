package io.sluice.admin;

import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code Host} names the admin API answers ({@code admin.allowed-hosts}). A page on another site
 * that rebinds its DNS name to 127.0.0.1 reaches the admin port from the browser, but the browser
 * still sends that site's name as Host: refusing unknown names keeps the token-less read paths
 * (pools, backend addresses, client addresses) from such pages.
 *
 * <p>An entry without a port matches a Host without a port or with the admin socket's own port; an
 * entry with a port matches that port only (a reverse proxy that keeps its own Host). IPv6 literals
 * are compared in RFC 5952 form, names case-insensitively without a trailing dot. A request without
 * a Host header is not a browser's and is answered.
 *
 * <p>Immutable; read by the admin threads.
 */
final class AllowedHosts {

    /** The entry that turns the check off. */
    static final String ANY = "*";

    private record Entry(String host, int port) {}

    private final List<Entry> entries;
    private final boolean any;

    private AllowedHosts(List<Entry> entries, boolean any) {
        this.entries = entries;
        this.any = any;
    }

    /**
     * @param configured {@code admin.allowed-hosts} as the config holds it ({@code name} or
     *                   {@code name:port}, or {@code *}); empty for the defaults
     * @param bind       {@code admin.bind}: its address is a default name unless it is a wildcard
     */
    static AllowedHosts of(List<String> configured, InetSocketAddress bind) {
        if (configured.contains(ANY)) {
            return new AllowedHosts(List.of(), true);
        }
        List<String> names = new ArrayList<>(configured);
        if (names.isEmpty()) {
            names.addAll(List.of("localhost", "127.0.0.1", "[::1]"));
            InetAddress a = bind.getAddress();
            if (a != null && !a.isAnyLocalAddress()) {
                names.add(a instanceof Inet6Address ? "[" + NetUtil.toAddressString(a) + "]" : a.getHostAddress());
            }
        }
        List<Entry> entries = new ArrayList<>();
        for (String name : names) {
            Entry e = parse(name);
            if (e == null) {
                throw new IllegalArgumentException("not a host entry: " + name);
            }
            entries.add(e);
        }
        return new AllowedHosts(List.copyOf(entries), false);
    }

    /** Whether a request with {@code hostHeader} (null when absent) on admin port {@code adminPort} is answered. */
    boolean allows(String hostHeader, int adminPort) {
        if (any || hostHeader == null) {
            return true;
        }
        Entry asked = parse(hostHeader.trim());
        if (asked == null) {
            return false;
        }
        for (Entry e : entries) {
            if (e.host().equals(asked.host())
                    && (e.port() < 0 ? asked.port() < 0 || asked.port() == adminPort : asked.port() == e.port())) {
                return true;
            }
        }
        return false;
    }

    /** {@code host[:port]} in the form entries are compared in, or null when it is not one. */
    private static Entry parse(String text) {
        if (text.isEmpty() || text.endsWith(":") || text.chars().anyMatch(c -> c <= ' ' || c >= 0x7f || "/?#@\\".indexOf(c) >= 0)) {
            return null;
        }
        URI uri;
        try {
            uri = new URI("http://" + text);
        } catch (URISyntaxException e) {
            return null;
        }
        String host = uri.getHost();
        if (host == null || !uri.getRawPath().isEmpty() || uri.getPort() == 0 || uri.getPort() > 65535) {
            return null;
        }
        host = host.toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            byte[] ip = NetUtil.createByteArrayFromIpAddressString(host.substring(1, host.length() - 1));
            if (ip == null) {
                return null;
            }
            host = "[" + NetUtil.bytesToIpAddress(ip) + "]";
        } else if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return new Entry(host, uri.getPort());
    }
}
