package io.sluice.config;

import io.sluice.yaml.YamlValue;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A block of IP addresses, like {@code 10.0.0.0/8} or {@code 2001:db8::/32}.
 *
 * <p>IPv4 and IPv6 meet through IPv4-mapped addresses ({@code ::ffff:a.b.c.d}): an IPv4 block contains the
 * mapped form of its addresses, and an IPv6 block contains an IPv4 address when it contains its mapped
 * form (so {@code ::/0} contains every address). Written as IPv6, a mapped block such as
 * {@code ::ffff:10.0.0.0/104} is stored as the IPv4 block {@code 10.0.0.0/8}.
 *
 * @param network      the first address of the block: bits beyond {@code prefixLength} are zero
 * @param prefixLength 0..32 for IPv4, 0..128 for IPv6
 */
public record Cidr(InetAddress network, int prefixLength) {

    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");
    private static final Pattern PREFIX = Pattern.compile("[0-9]{1,3}");

    /** Canonicalizes {@code network} by clearing its host bits. */
    public Cidr {
        Objects.requireNonNull(network, "network");
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range 0.." + bits);
        }
        network = masked(network, prefixLength);
    }

    /**
     * Parses {@code 10.0.0.0/8}, {@code 127.0.0.1} (a single address: /32), {@code 2001:db8::/32},
     * {@code ::1} (/128) or {@code [::1]/128}. Host bits after the prefix are ignored
     * ({@code 10.1.2.3/8} is {@code 10.0.0.0/8}). Never does a DNS lookup.
     *
     * @throws IllegalArgumentException whose message is the complete error text for the operator
     */
    public static Cidr parse(String text) {
        Objects.requireNonNull(text, "text");
        String expected = " (expected an address or a block like 10.0.0.0/8, 192.168.1.10 or 2001:db8::/32)";
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        String prefix = slash < 0 ? null : text.substring(slash + 1);
        if (host.startsWith("[") && host.endsWith("]") && host.length() > 2) {
            host = host.substring(1, host.length() - 1);
            if (!host.contains(":")) {
                throw new IllegalArgumentException(YamlValue.quote(text) + expected);
            }
        }
        InetAddress address;
        boolean writtenAsV6 = host.contains(":");
        if (writtenAsV6) {
            if (!IPV6_CHARS.matcher(host).matches()) {
                throw new IllegalArgumentException(YamlValue.quote(text) + " (invalid IPv6 address)");
            }
            try {
                // In brackets, InetAddress takes only an IPv6 literal and never falls back to a DNS lookup.
                address = InetAddress.getByName("[" + host + "]");
            } catch (UnknownHostException | SecurityException e) {
                throw new IllegalArgumentException(YamlValue.quote(text) + " (invalid IPv6 address)");
            }
        } else if (DIGITS_AND_DOTS.matcher(host).matches()) {
            byte[] v4 = Addresses.ipv4(host);
            if (v4 == null) {
                throw new IllegalArgumentException(YamlValue.quote(text) + " (invalid IPv4 address)");
            }
            address = byAddress(v4);
        } else {
            throw new IllegalArgumentException(YamlValue.quote(text) + expected);
        }
        // InetAddress turns ::ffff:a.b.c.d into an Inet4Address; its prefix was written in IPv6 bits.
        boolean mappedV4 = writtenAsV6 && address instanceof Inet4Address;
        int max = writtenAsV6 ? 128 : 32;
        int length = max;
        if (prefix != null) {
            if (!PREFIX.matcher(prefix).matches()) {
                throw new IllegalArgumentException(YamlValue.quote(text) + " (the prefix length after '/' must be a number 0.."
                        + max + ")");
            }
            length = Integer.parseInt(prefix);
            if (length > max) {
                throw new IllegalArgumentException(YamlValue.quote(text) + " (prefix length " + length
                        + " out of range 0.." + max + ")");
            }
        }
        if (mappedV4) {
            if (length < 96) {
                throw new IllegalArgumentException(YamlValue.quote(text)
                        + " (an IPv4-mapped block needs a prefix length of at least 96; write it as IPv4)");
            }
            length -= 96;
        }
        return new Cidr(address, length);
    }

    /** Whether {@code address} is in this block. Allocation-free apart from {@link InetAddress#getAddress()}. */
    public boolean contains(InetAddress address) {
        if (address == null) {
            return false;
        }
        byte[] net = network.getAddress();
        byte[] a = address.getAddress();
        int offset; // where the bytes comparable to net start in a
        if (a.length == net.length) {
            offset = 0;
        } else if (net.length == 4) {
            // IPv6 address against an IPv4 block: only an IPv4-mapped address can match.
            if (!isV4Mapped(a)) {
                return false;
            }
            offset = 12;
        } else {
            // IPv4 address against an IPv6 block: compare its mapped form ::ffff:a.b.c.d.
            return containsMapped(net, a);
        }
        return prefixMatches(net, 0, a, offset, prefixLength);
    }

    private boolean containsMapped(byte[] net, byte[] v4) {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(v4, 0, mapped, 12, 4);
        return prefixMatches(net, 0, mapped, 0, prefixLength);
    }

    private static boolean prefixMatches(byte[] net, int netOffset, byte[] a, int aOffset, int bits) {
        int whole = bits / 8;
        for (int i = 0; i < whole; i++) {
            if (net[netOffset + i] != a[aOffset + i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (net[netOffset + whole] & mask) == (a[aOffset + whole] & mask);
    }

    private static boolean isV4Mapped(byte[] a) {
        if (a.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    private static InetAddress masked(InetAddress address, int prefixLength) {
        byte[] bytes = address.getAddress();
        for (int i = 0; i < bytes.length; i++) {
            int keep = Math.max(0, Math.min(8, prefixLength - i * 8));
            bytes[i] &= (byte) ((0xff << (8 - keep)) & 0xff);
        }
        if (address instanceof Inet6Address) {
            try {
                // getByAddress(byte[]) would turn a 16-byte mapped address into an Inet4Address.
                return Inet6Address.getByAddress(null, bytes, -1);
            } catch (UnknownHostException cannotHappenFor16Bytes) {
                throw new IllegalStateException(cannotHappenFor16Bytes);
            }
        }
        return byAddress(bytes);
    }

    private static InetAddress byAddress(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException cannotHappen) {
            throw new IllegalStateException(cannotHappen);
        }
    }

    /** {@code 10.0.0.0/8}, {@code 2001:db8:0:0:0:0:0:0/32}. */
    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }
}
