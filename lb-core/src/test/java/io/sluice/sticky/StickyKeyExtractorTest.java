package io.sluice.sticky;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.config.StickyConfig;
import io.sluice.config.StickyKeyType;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Client address to sticky key: prefix masking, IPv4-mapped IPv6, equality and hash. */
class StickyKeyExtractorTest {

    private static StickyKeyExtractor extractor(StickyKeyType type, int v4, int v6) {
        return new StickyKeyExtractor(new StickyConfig(type, v4, v6, Duration.ofMinutes(30), 1000));
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    /** An Inet6Address holding ::ffff:a.b.c.d (InetAddress.getByAddress would turn it into an Inet4Address). */
    private static InetAddress mapped(int a, int b, int c, int d) throws Exception {
        byte[] raw = new byte[16];
        raw[10] = (byte) 0xff;
        raw[11] = (byte) 0xff;
        raw[12] = (byte) a;
        raw[13] = (byte) b;
        raw[14] = (byte) c;
        raw[15] = (byte) d;
        InetAddress address = Inet6Address.getByAddress(null, raw, -1);
        assertTrue(address instanceof Inet6Address);
        return address;
    }

    @Test
    void sourceIpKeepsTheWholeAddress() throws Exception {
        StickyKeyExtractor x = extractor(StickyKeyType.SOURCE_IP, 24, 64);
        assertTrue(x.enabled());
        assertArrayEquals(new byte[] {10, 1, 2, 3}, x.keyOf(ip("10.1.2.3")).bytes());
        assertNotEquals(x.keyOf(ip("10.1.2.3")), x.keyOf(ip("10.1.2.4")));
    }

    @Test
    void prefixMasksIpv4() throws Exception {
        StickyKeyExtractor x = extractor(StickyKeyType.SOURCE_PREFIX, 24, 64);
        assertArrayEquals(new byte[] {10, 1, 2, 0}, x.keyOf(ip("10.1.2.3")).bytes());
        assertEquals(x.keyOf(ip("10.1.2.3")), x.keyOf(ip("10.1.2.250")));
        assertNotEquals(x.keyOf(ip("10.1.2.3")), x.keyOf(ip("10.1.3.3")));
        assertEquals("10.1.2.0", x.keyOf(ip("10.1.2.3")).toString());
    }

    @Test
    void prefixMasksIpv4OffAByteBoundary() throws Exception {
        StickyKeyExtractor x = extractor(StickyKeyType.SOURCE_PREFIX, 20, 64);
        assertArrayEquals(new byte[] {10, 1, (byte) 0xf0, 0}, x.keyOf(ip("10.1.255.255")).bytes());
        assertEquals(x.keyOf(ip("10.1.240.1")), x.keyOf(ip("10.1.255.254")));
        assertNotEquals(x.keyOf(ip("10.1.239.1")), x.keyOf(ip("10.1.240.1")));
        StickyKeyExtractor all = extractor(StickyKeyType.SOURCE_PREFIX, 32, 128);
        assertArrayEquals(new byte[] {10, 1, 2, 3}, all.keyOf(ip("10.1.2.3")).bytes());
        StickyKeyExtractor none = extractor(StickyKeyType.SOURCE_PREFIX, 0, 0);
        assertArrayEquals(new byte[] {0, 0, 0, 0}, none.keyOf(ip("10.1.2.3")).bytes());
    }

    @Test
    void prefixMasksIpv6() throws Exception {
        StickyKeyExtractor x = extractor(StickyKeyType.SOURCE_PREFIX, 24, 64);
        byte[] key = x.keyOf(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).bytes();
        assertEquals(16, key.length);
        assertArrayEquals(ip("2001:db8:1:2::").getAddress(), key);
        assertEquals(x.keyOf(ip("2001:db8:1:2::1")), x.keyOf(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")));
        assertNotEquals(x.keyOf(ip("2001:db8:1:2::1")), x.keyOf(ip("2001:db8:1:3::1")));

        StickyKeyExtractor odd = extractor(StickyKeyType.SOURCE_PREFIX, 24, 60);
        assertArrayEquals(ip("2001:db8:1:0::").getAddress(), odd.keyOf(ip("2001:db8:1:f::1")).bytes());
    }

    @Test
    void ipv4MappedIpv6IsKeyedAsIpv4() throws Exception {
        StickyKeyExtractor ipKeys = extractor(StickyKeyType.SOURCE_IP, 24, 64);
        StickyKey viaV6 = ipKeys.keyOf(mapped(192, 0, 2, 7));
        StickyKey viaV4 = ipKeys.keyOf(ip("192.0.2.7"));
        assertArrayEquals(new byte[] {(byte) 192, 0, 2, 7}, viaV6.bytes());
        assertEquals(viaV4, viaV6);
        assertEquals(viaV4.hash(), viaV6.hash());

        // The v4 prefix applies to the mapped address, not the v6 one.
        StickyKeyExtractor prefixKeys = extractor(StickyKeyType.SOURCE_PREFIX, 24, 64);
        assertArrayEquals(new byte[] {(byte) 192, 0, 2, 0}, prefixKeys.keyOf(mapped(192, 0, 2, 7)).bytes());
        assertEquals(prefixKeys.keyOf(ip("192.0.2.200")), prefixKeys.keyOf(mapped(192, 0, 2, 7)));
    }

    @Test
    void equalKeysHaveEqualHashes() throws Exception {
        StickyKeyExtractor x = extractor(StickyKeyType.SOURCE_PREFIX, 24, 64);
        StickyKey k1 = x.keyOf(ip("172.16.5.1"));
        StickyKey k2 = x.keyOf(ip("172.16.5.99"));
        assertEquals(k1, k2);
        assertEquals(k1.hash(), k2.hash());
        assertEquals(k1.hashCode(), k2.hashCode());
        assertEquals(new StickyKey(new byte[] {1, 2, 3, 4}).hash(), new StickyKey(new byte[] {1, 2, 3, 4}).hash());
        // bytes() is a copy: mutating it does not change the key.
        byte[] copy = k1.bytes();
        copy[0] = 0;
        assertEquals(k1, k2);
        // A v4 key and the v6 key with the same leading bytes are different keys.
        assertNotEquals(new StickyKey(new byte[] {0, 0, 0, 0}), new StickyKey(new byte[16]));
    }

    @Test
    void noneIsNotEnabledButStillKeysTheFullAddress() throws Exception {
        StickyKeyExtractor x = extractor(StickyKeyType.NONE, 24, 64);
        assertFalse(x.enabled());
        assertArrayEquals(new byte[] {10, 1, 2, 3}, x.keyOf(ip("10.1.2.3")).bytes());
    }
}
