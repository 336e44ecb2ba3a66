package io.sluice.config;

import io.sluice.yaml.YamlValue;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * {@code host:port} parsing for listener binds and backend addresses.
 *
 * <p>Binds take only IP literals or {@code localhost}, so what a listener binds to never depends on DNS.
 * Backends may use hostnames, resolved once here: a name that does not resolve is a config error now
 * rather than a failed connect later. Each method throws {@link IllegalArgumentException} whose message
 * is the complete error text for the operator.
 */
final class Addresses {

    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");
    /** A DNS host name (letters, digits and '-' in labels of up to 63, 253 in all), optionally with a final dot. */
    static final Pattern HOSTNAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9._-]+)?");

    private Addresses() {
    }

    /** {@code ip:port}, {@code [ipv6]:port}, {@code localhost:port}, or {@code :port} for all interfaces. */
    static InetSocketAddress bind(String text) {
        HostPort hp = split(text, "expected ip:port, [ipv6]:port or :port");
        if (hp.host.isEmpty()) {
            return new InetSocketAddress(hp.port);
        }
        if (hp.host.equals("localhost")) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), hp.port);
        }
        InetAddress ip = literal(hp, text);
        if (ip == null) {
            throw new IllegalArgumentException(YamlValue.quote(text)
                    + " (a listener binds to an IP address or localhost, not a hostname)");
        }
        return new InetSocketAddress(ip, hp.port);
    }

    /** {@code host:port} or {@code [ipv6]:port}; a hostname is resolved now. */
    static InetSocketAddress backend(String text) {
        HostPort hp = split(text, "expected host:port or [ipv6]:port");
        if (hp.host.isEmpty()) {
            throw new IllegalArgumentException(YamlValue.quote(text) + " (a backend needs a host: host:port)");
        }
        InetAddress ip = literal(hp, text);
        if (ip != null) {
            return new InetSocketAddress(ip, hp.port);
        }
        if (!HOSTNAME.matcher(hp.host).matches()) {
            throw new IllegalArgumentException(YamlValue.quote(text) + " (invalid hostname)");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(hp.host), hp.port);
        } catch (UnknownHostException | SecurityException e) {
            throw new IllegalArgumentException("cannot resolve host " + YamlValue.quote(hp.host));
        }
    }

    /**
     * {@code host:port} or {@code [ipv6]:port} of a registry server (a ZooKeeper ensemble member).
     * Only its form is checked: it is never resolved here, since the registry's client resolves (and
     * re-resolves) it and a registry that is briefly unresolvable must not make the config invalid.
     */
    static void server(String text) {
        HostPort hp = split(text, "expected host:port or [ipv6]:port");
        if (hp.host.isEmpty()) {
            throw new IllegalArgumentException(YamlValue.quote(text) + " (a server needs a host: host:port)");
        }
        if (literal(hp, text) == null && !HOSTNAME.matcher(hp.host).matches()) {
            throw new IllegalArgumentException(YamlValue.quote(text) + " (invalid hostname)");
        }
    }

    /** The host as an IP literal, or null if it is a hostname. Never does a DNS lookup. */
    private static InetAddress literal(HostPort hp, String text) {
        if (hp.bracketed) {
            if (!IPV6_CHARS.matcher(hp.host).matches() || !hp.host.contains(":")) {
                throw new IllegalArgumentException(YamlValue.quote(text) + " (invalid IPv6 address)");
            }
            try {
                // A string with ':' is parsed as an IPv6 literal; InetAddress never looks it up.
                return InetAddress.getByName(hp.host);
            } catch (UnknownHostException | SecurityException e) {
                throw new IllegalArgumentException(YamlValue.quote(text) + " (invalid IPv6 address)");
            }
        }
        if (DIGITS_AND_DOTS.matcher(hp.host).matches()) {
            byte[] v4 = ipv4(hp.host);
            if (v4 == null) {
                throw new IllegalArgumentException(YamlValue.quote(text) + " (invalid IPv4 address)");
            }
            try {
                return InetAddress.getByAddress(v4);
            } catch (UnknownHostException cannotHappenForFourBytes) {
                throw new IllegalStateException(cannotHappenForFourBytes);
            }
        }
        return null;
    }

    /**
     * Strict dotted quad. InetAddress would also take {@code 127.1} or {@code 0x7f.1}; those legacy
     * forms are rejected because they are almost always typos.
     */
    static byte[] ipv4(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (parts[i].isEmpty() || parts[i].length() > 3) {
                return null;
            }
            int octet = Integer.parseInt(parts[i]);
            if (octet > 255) {
                return null;
            }
            bytes[i] = (byte) octet;
        }
        return bytes;
    }

    private static HostPort split(String text, String expected) {
        String host;
        String port;
        boolean bracketed = text.startsWith("[");
        if (bracketed) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw new IllegalArgumentException(YamlValue.quote(text) + " (" + expected + ")");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException(YamlValue.quote(text) + " (" + expected + ")");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.contains(":")) {
                throw new IllegalArgumentException(YamlValue.quote(text)
                        + " (put IPv6 addresses in brackets, like \"[::1]:7000\")");
            }
        }
        return new HostPort(host, parsePort(port, text), bracketed);
    }

    private static int parsePort(String port, String text) {
        if (!port.matches("[0-9]{1,5}")) {
            throw new IllegalArgumentException(YamlValue.quote(text) + " (port must be a number 1..65535)");
        }
        int p = Integer.parseInt(port);
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException(YamlValue.quote(text) + " (port " + p + " out of range 1..65535)");
        }
        return p;
    }

    private record HostPort(String host, int port, boolean bracketed) {
    }
}
