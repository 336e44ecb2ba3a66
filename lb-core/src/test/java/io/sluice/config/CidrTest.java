package io.sluice.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

class CidrTest {

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // literals only: no DNS
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** An IPv4-mapped IPv6 address kept as an Inet6Address, as some socket layers hand them out. */
    private static InetAddress mapped(int a, int b, int c, int d) throws UnknownHostException {
        byte[] bytes = new byte[16];
        bytes[10] = (byte) 0xff;
        bytes[11] = (byte) 0xff;
        bytes[12] = (byte) a;
        bytes[13] = (byte) b;
        bytes[14] = (byte) c;
        bytes[15] = (byte) d;
        return Inet6Address.getByAddress(null, bytes, -1);
    }

    @Test
    void parsesBlocksAndSingleAddresses() {
        assertEquals(new Cidr(ip("10.0.0.0"), 8), Cidr.parse("10.0.0.0/8"));
        assertEquals(new Cidr(ip("127.0.0.1"), 32), Cidr.parse("127.0.0.1"));
        assertEquals(new Cidr(ip("::1"), 128), Cidr.parse("::1"));
        assertEquals(new Cidr(ip("::1"), 128), Cidr.parse("::1/128"));
        assertEquals(new Cidr(ip("::1"), 128), Cidr.parse("[::1]/128"));
        assertEquals(new Cidr(ip("::1"), 128), Cidr.parse("[::1]"));
        assertEquals(new Cidr(ip("2001:db8::"), 32), Cidr.parse("2001:DB8::/32"));
        assertEquals(new Cidr(ip("0.0.0.0"), 0), Cidr.parse("0.0.0.0/0"));
        assertEquals(new Cidr(ip("::"), 0), Cidr.parse("::/0"));
    }

    @Test
    void hostBitsAreCleared() {
        Cidr c = Cidr.parse("10.1.2.3/8");
        assertEquals(ip("10.0.0.0"), c.network());
        assertEquals("10.0.0.0/8", c.toString());
        assertEquals(ip("192.168.0.128"), Cidr.parse("192.168.0.200/25").network());
        assertEquals(ip("2001:db8::"), Cidr.parse("2001:db8::ffff/33").network());
        assertEquals(new Cidr(ip("10.9.9.9"), 16), new Cidr(ip("10.9.0.0"), 16));
    }

    @Test
    void ipv4MappedBlockWrittenAsIpv6IsStoredAsIpv4() {
        Cidr c = Cidr.parse("::ffff:10.0.0.0/104");
        assertTrue(c.network() instanceof Inet4Address);
        assertEquals(Cidr.parse("10.0.0.0/8"), c);
        assertEquals(Cidr.parse("10.1.2.3/32"), Cidr.parse("::ffff:10.1.2.3"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("::ffff:10.0.0.0/95"));
    }

    @Test
    void rejectsJunk() {
        for (String bad : List.of("", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/8/8", "10.0.0/8",
                "10.0.0.256", "127.1", "0x7f.0.0.1", "example.com", "localhost", "::1/129", "fe80::1%eth0/64",
                "[10.0.0.1]/32", "[::1", "10.0.0.0 /8", "10.0.0.0/ 8", "10.0.0.0/08x", "::g/64", "1:2:3:4:5:6:7:8:9/64")) {
            assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad), bad);
        }
        assertEquals("'10.0.0.0/33' (prefix length 33 out of range 0..32)",
                assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/33")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Cidr(ip("10.0.0.0"), 33));
        assertThrows(IllegalArgumentException.class, () -> new Cidr(ip("::"), -1));
    }

    @Test
    void containsIpv4() {
        Cidr c = Cidr.parse("10.0.0.0/8");
        assertTrue(c.contains(ip("10.0.0.0")));
        assertTrue(c.contains(ip("10.255.255.255")));
        assertFalse(c.contains(ip("11.0.0.0")));
        assertFalse(c.contains(ip("9.255.255.255")));
        Cidr odd = Cidr.parse("192.168.1.64/26");
        assertTrue(odd.contains(ip("192.168.1.64")));
        assertTrue(odd.contains(ip("192.168.1.127")));
        assertFalse(odd.contains(ip("192.168.1.128")));
        assertFalse(odd.contains(ip("192.168.1.63")));
        assertTrue(Cidr.parse("127.0.0.1").contains(ip("127.0.0.1")));
        assertFalse(Cidr.parse("127.0.0.1").contains(ip("127.0.0.2")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(ip("203.0.113.9")));
        assertFalse(c.contains(null));
    }

    @Test
    void containsIpv6() {
        Cidr c = Cidr.parse("2001:db8::/32");
        assertTrue(c.contains(ip("2001:db8::1")));
        assertTrue(c.contains(ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")));
        assertFalse(c.contains(ip("2001:db9::")));
        assertTrue(Cidr.parse("::1/128").contains(ip("::1")));
        assertFalse(Cidr.parse("::1/128").contains(ip("::2")));
        assertTrue(Cidr.parse("fe80::/10").contains(ip("febf::1")));
        assertFalse(Cidr.parse("fe80::/10").contains(ip("fec0::1")));
    }

    @Test
    void ipv4MappedAddressesMatchIpv4Blocks() throws Exception {
        Cidr c = Cidr.parse("10.0.0.0/8");
        assertTrue(c.contains(mapped(10, 1, 2, 3)));
        assertFalse(c.contains(mapped(11, 1, 2, 3)));
        assertFalse(c.contains(ip("::a01:203"))); // IPv4-compatible, not mapped
        assertFalse(c.contains(ip("2001:db8::a01:203")));
        // Across families the other way: an IPv6 block sees an IPv4 address as ::ffff:a.b.c.d.
        assertTrue(Cidr.parse("::/0").contains(ip("10.1.2.3")));
        assertFalse(Cidr.parse("::1/128").contains(ip("127.0.0.1")));
        assertFalse(Cidr.parse("2001:db8::/32").contains(ip("10.1.2.3")));
        assertTrue(Cidr.parse("::ffff:0:0/96").contains(ip("10.1.2.3")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(mapped(1, 2, 3, 4)));
    }
}
