package io.sluice.tls;

import static io.sluice.tls.ClientHellos.concat;
import static io.sluice.tls.ClientHellos.extension;
import static io.sluice.tls.ClientHellos.syntheticHello;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.sluice.tls.ParseResult.Hello;
import io.sluice.tls.ParseResult.NeedMore;
import io.sluice.tls.ParseResult.Refused;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientHelloParserTest {

    private static final int MAX = 16384;
    private static final List<String> H2 = List.of("h2", "http/1.1");
    private static final byte[] TLS13 = ClientHellos.jdkClientHello("chat.example.com", H2, "TLSv1.3");

    static ParseResult parse(byte[] bytes, int max) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        ParseResult result = ClientHelloParser.parse(buf, max);
        assertEquals(0, buf.readerIndex(), "readerIndex untouched");
        assertEquals(bytes.length, buf.writerIndex(), "writerIndex untouched");
        return result;
    }

    static ClientHelloInfo hello(byte[] bytes, int max) {
        ParseResult result = parse(bytes, max);
        return assertInstanceOf(Hello.class, result, () -> "expected a Hello, got " + result).info();
    }

    static void assertRefused(TlsRefusal reason, byte[] bytes, int max) {
        ParseResult result = parse(bytes, max);
        Refused refused = assertInstanceOf(Refused.class, result, () -> "expected " + reason + ", got " + result);
        assertEquals(reason, refused.reason(), refused.detail());
        assertFalse(refused.detail().startsWith("internal"), refused.detail());
    }

    static void assertNeedMore(byte[] bytes, int max) {
        ParseResult result = parse(bytes, max);
        assertSame(ParseResult.NEED_MORE, result, () -> "expected NeedMore, got " + result);
    }

    private static byte[] prefix(byte[] b, int n) {
        return Arrays.copyOf(b, n);
    }

    // -- real hellos ---------------------------------------------------------------------------------

    @Test
    void jdkTls13Hello() {
        ClientHelloInfo info = hello(TLS13, MAX);
        assertEquals("chat.example.com", info.serverName());
        assertEquals(H2, info.alpn());
        assertTrue(info.offersTls13());
        assertFalse(info.encryptedClientHello());
        assertEquals(TLS13.length - 5, info.helloLength());
        assertEquals(1, info.recordCount());
        System.out.println("JDK TLS 1.3 ClientHello: " + TLS13.length + " bytes on the wire, helloLength " + info.helloLength());
    }

    @Test
    void jdkHellosAreReproducible() {
        assertArrayEquals(TLS13, ClientHellos.jdkClientHello("chat.example.com", H2, "TLSv1.3"));
    }

    @Test
    void jdkTls12OnlyHello() {
        byte[] bytes = ClientHellos.jdkClientHello("chat.example.com", H2, "TLSv1.2");
        ClientHelloInfo info = hello(bytes, MAX);
        assertEquals("chat.example.com", info.serverName());
        assertEquals(H2, info.alpn());
        assertFalse(info.offersTls13());
        System.out.println("JDK TLS 1.2-only ClientHello: " + bytes.length + " bytes on the wire");
    }

    @Test
    void jdkDefaultHelloOffersTls13() {
        byte[] bytes = ClientHellos.jdkClientHello("a.example", List.of());
        ClientHelloInfo info = hello(bytes, MAX);
        assertEquals("a.example", info.serverName());
        assertEquals(List.of(), info.alpn());
        assertTrue(info.offersTls13());
        System.out.println("JDK default ClientHello: " + bytes.length + " bytes on the wire");
    }

    @Test
    void noSniMeansNullServerName() {
        ClientHelloInfo info = hello(ClientHellos.jdkClientHello(null, H2, "TLSv1.3", "TLSv1.2"), MAX);
        assertNull(info.serverName());
        assertEquals(H2, info.alpn());
    }

    @Test
    void serverNameIsLowercasedAndLosesOneTrailingDot() {
        ClientHelloInfo info = hello(syntheticHello(extension(0, ClientHellos.sniData("Chat.EXAMPLE.com."))), MAX);
        assertEquals("chat.example.com", info.serverName());
        assertEquals("a_b-c.d", hello(syntheticHello(extension(0, ClientHellos.sniData("A_B-C.D"))), MAX).serverName());
        assertEquals("x".repeat(253), hello(syntheticHello(extension(0, ClientHellos.sniData("x".repeat(253) + "."))), MAX).serverName());
    }

    @Test
    void helloWithoutExtensionsBlock() {
        ClientHelloInfo info = hello(syntheticHello(), MAX);
        assertNull(info.serverName());
        assertEquals(List.of(), info.alpn());
        assertFalse(info.offersTls13());
        assertEquals(4 + 41, info.helloLength());
    }

    @Test
    void unknownNameTypesAreSkipped() {
        // name_type 1 (undefined) before the host_name
        byte[] sni = {0x00, 0x0c, 0x01, 0x00, 0x02, 'z', 'z', 0x00, 0x00, 0x04, 'a', '.', 'b', 'c'};
        assertEquals("a.bc", hello(syntheticHello(extension(0, sni)), MAX).serverName());
        byte[] onlyUnknown = {0x00, 0x05, 0x07, 0x00, 0x02, 'z', 'z'};
        assertNull(hello(syntheticHello(extension(0, onlyUnknown)), MAX).serverName());
    }

    @Test
    void doesNotModifyAPooledDirectBufferWithAnOffset() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(TLS13.length + 20);
        try {
            buf.writeBytes(new byte[7]).writeBytes(TLS13).writeBytes(new byte[] {23, 3, 3, 0, 1, 9});
            buf.readerIndex(7);
            ParseResult result = ClientHelloParser.parse(buf, MAX);
            assertEquals("chat.example.com", assertInstanceOf(Hello.class, result).info().serverName());
            assertEquals(7, buf.readerIndex());
            assertEquals(7 + TLS13.length + 6, buf.writerIndex());
            // a prefix via writerIndex: the parser must not look past it
            buf.writerIndex(7 + TLS13.length - 1);
            assertSame(ParseResult.NEED_MORE, ClientHelloParser.parse(buf, MAX));
        } finally {
            buf.release();
        }
    }

    @Test
    void compositeBufferAcrossManyComponents() {
        // What the handler buffers: a composite of the reads so far, here split at awkward places.
        byte[] framed = ClientHellos.reframe(TLS13, 7);
        CompositeByteBuf composite = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer(64);
        try {
            for (int pos = 0; pos < framed.length; pos += 3) {
                int n = Math.min(3, framed.length - pos);
                composite.addComponent(true, PooledByteBufAllocator.DEFAULT.directBuffer(n).writeBytes(framed, pos, n));
                ParseResult result = ClientHelloParser.parse(composite, MAX);
                if (pos + n < framed.length) {
                    assertSame(ParseResult.NEED_MORE, result);
                } else {
                    assertEquals("chat.example.com", assertInstanceOf(Hello.class, result).info().serverName());
                }
            }
            assertEquals(framed.length, composite.readableBytes());
        } finally {
            composite.release();
        }
    }

    @Test
    void nullAndEmptyAreNeedMore() {
        assertSame(ParseResult.NEED_MORE, ClientHelloParser.parse(null, MAX));
        assertNeedMore(new byte[0], MAX);
        assertInstanceOf(NeedMore.class, ParseResult.NEED_MORE);
    }

    // -- fragmentation ---------------------------------------------------------------------------------

    @Test
    void everyPrefixIsNeedMore() {
        for (int n = 0; n < TLS13.length; n++) {
            assertNeedMore(prefix(TLS13, n), MAX);
        }
        hello(TLS13, MAX);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 512, 16384})
    void reframedIntoSmallRecords(int fragment) {
        ClientHelloInfo expected = hello(TLS13, MAX);
        byte[] framed = ClientHellos.reframe(TLS13, fragment);
        ClientHelloInfo info = hello(framed, MAX);
        int records = (expected.helloLength() + fragment - 1) / fragment;
        assertEquals(new ClientHelloInfo(expected.serverName(), expected.alpn(), expected.encryptedClientHello(),
                expected.offersTls13(), expected.helloLength(), records), info);
        for (int n = 0; n < framed.length; n++) {
            assertNeedMore(prefix(framed, n), MAX);
        }
    }

    @Test
    void largeHelloWithPadding() {
        byte[] big = ClientHellos.withExtension(TLS13, 21, new byte[7800]);
        ClientHelloInfo info = hello(big, MAX);
        assertEquals("chat.example.com", info.serverName());
        assertEquals(H2, info.alpn());
        assertEquals(1, info.recordCount());
        assertTrue(info.helloLength() > 8000, "helloLength " + info.helloLength());
        assertEquals((info.helloLength() + 511) / 512, hello(ClientHellos.reframe(big, 512), MAX).recordCount());
        System.out.println("padded ClientHello: helloLength " + info.helloLength());
        // too large: refused as soon as the handshake header is in
        assertRefused(TlsRefusal.TOO_LARGE, big, 4096);
        assertRefused(TlsRefusal.TOO_LARGE, prefix(big, 9), 4096);
        assertNeedMore(prefix(big, 8), 4096);
    }

    @Test
    void helloLargerThanOneRecord() {
        byte[] huge = ClientHellos.withExtension(TLS13, 21, new byte[20000]);
        ClientHelloInfo info = hello(huge, 65536);
        assertEquals(2, info.recordCount());
        assertEquals("chat.example.com", info.serverName());
        assertRefused(TlsRefusal.TOO_LARGE, huge, MAX);
    }

    @Test
    void bufferedBytesAreBoundedEvenForTinyRecords() {
        // A 1-byte-record hello costs 6 bytes per handshake byte; with a limit just above the hello
        // length the record headers blow the buffer allowance.
        int helloLength = hello(TLS13, MAX).helloLength();
        byte[] tiny = ClientHellos.reframe(TLS13, 1);
        assertRefused(TlsRefusal.TOO_LARGE, tiny, helloLength);
        long limit = ClientHelloParser.bufferLimit(helloLength);
        assertNeedMore(prefix(tiny, (int) limit - 6), helloLength);
        assertRefused(TlsRefusal.TOO_LARGE, prefix(tiny, (int) limit + 1), helloLength);
        // ... but a few extra records at the edge are fine
        byte[] someSplit = ClientHellos.reframe(TLS13, helloLength / 40 + 1);
        assertEquals(helloLength, hello(someSplit, helloLength).helloLength());
    }

    @Test
    void trailingBytesAfterTheHelloDoNotMatter() {
        byte[] early = concat(TLS13, new byte[] {20, 3, 3, 0, 1, 1, 23, 3, 3, 0, 3, 1, 2, 3}, "garbage".getBytes(StandardCharsets.US_ASCII));
        assertEquals("chat.example.com", hello(early, MAX).serverName());
        // extra handshake bytes in the hello's own last record
        byte[] hs = ClientHellos.handshakeBytes(TLS13);
        byte[] withMore = ClientHellos.frame(concat(hs, new byte[] {99, 0, 0, 0}), MAX);
        assertEquals(hs.length, hello(withMore, MAX).helloLength());
        // and the rest of that record need not have arrived
        assertEquals(hs.length, hello(prefix(withMore, TLS13.length), MAX).helloLength());
    }

    // -- bad input ---------------------------------------------------------------------------------

    @Test
    void httpIsNotTls() {
        assertRefused(TlsRefusal.NOT_TLS, "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII), MAX);
        assertRefused(TlsRefusal.NOT_TLS, new byte[] {'G'}, MAX);
        assertRefused(TlsRefusal.NOT_TLS, "SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII), MAX);
    }

    @Test
    void sslv2Hello() {
        byte[] v2 = ClientHellos.sslv2Hello();
        assertEquals(0x2e + 2, v2.length);
        assertRefused(TlsRefusal.SSLV2_HELLO, v2, MAX);
        assertRefused(TlsRefusal.SSLV2_HELLO, prefix(v2, 3), MAX);
        assertNeedMore(prefix(v2, 1), MAX);
        assertNeedMore(prefix(v2, 2), MAX);
        assertRefused(TlsRefusal.NOT_TLS, new byte[] {(byte) 0x80, 0x10, 0x04}, MAX); // high bit but not CLIENT-HELLO
    }

    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(42);
        for (int i = 0; i < 1000; i++) {
            byte[] b = new byte[random.nextInt(200)];
            random.nextBytes(b);
            ParseResult result = parse(b, MAX);
            if (result instanceof Refused r) {
                assertFalse(r.detail().startsWith("internal"), r.detail());
            }
        }
    }

    @Test
    void truncatedRecordsAreNeedMore() {
        assertNeedMore(new byte[] {22}, MAX);
        assertNeedMore(new byte[] {22, 3}, MAX);
        assertNeedMore(new byte[] {22, 3, 1}, MAX);
        assertNeedMore(new byte[] {22, 3, 1, 0}, MAX);
        assertNeedMore(new byte[] {22, 3, 1, 0, 50}, MAX);
        assertNeedMore(new byte[] {22, 3, 1, 0, 50, 1, 0}, MAX);
    }

    @Test
    void recordLevelErrors() {
        byte[] hs = ClientHellos.handshakeBytes(TLS13);
        // content type 23 first: not TLS; after a first handshake record: malformed
        assertRefused(TlsRefusal.NOT_TLS, new byte[] {23, 3, 3, 0, 5, 1, 2, 3, 4, 5}, MAX);
        assertRefused(TlsRefusal.NOT_TLS, new byte[] {21, 3, 3, 0, 2, 2, 40}, MAX);
        byte[] split = ClientHellos.frame(hs, 100);
        byte[] interleaved = concat(prefix(split, 105), new byte[] {23, 3, 3, 0, 1, 0}, Arrays.copyOfRange(split, 105, split.length));
        assertRefused(TlsRefusal.MALFORMED, interleaved, MAX);
        byte[] ccs = concat(prefix(split, 105), new byte[] {20, 3, 3, 0, 1, 1}, Arrays.copyOfRange(split, 105, split.length));
        assertRefused(TlsRefusal.MALFORMED, ccs, MAX);
        // record length 0, > 2^14
        assertRefused(TlsRefusal.MALFORMED, new byte[] {22, 3, 1, 0, 0}, MAX);
        assertRefused(TlsRefusal.MALFORMED, concat(prefix(split, 105), new byte[] {22, 3, 1, 0, 0}), MAX);
        assertRefused(TlsRefusal.MALFORMED, new byte[] {22, 3, 1, 0x40, 1}, MAX);
        assertRefused(TlsRefusal.MALFORMED, new byte[] {22, 3, 1, 0x41}, MAX);
        assertNeedMore(new byte[] {22, 3, 1, 0x40, 0}, MAX);
        // record version
        assertRefused(TlsRefusal.MALFORMED, new byte[] {22, 2}, MAX);
        assertRefused(TlsRefusal.MALFORMED, new byte[] {22, 3, 5}, MAX);
        assertNeedMore(new byte[] {22, 3, 0}, MAX);
        byte[] v30 = TLS13.clone();
        v30[2] = 0;
        hello(v30, MAX);
    }

    @Test
    void handshakeLevelErrors() {
        byte[] serverHello = TLS13.clone();
        serverHello[5] = 2;
        assertRefused(TlsRefusal.MALFORMED, serverHello, MAX);
        assertRefused(TlsRefusal.MALFORMED, prefix(serverHello, 6), MAX);
        // handshake length smaller than the body
        byte[] shorter = TLS13.clone();
        ClientHellos.setU24(shorter, 6, TLS13.length - 9 - 10);
        assertRefused(TlsRefusal.MALFORMED, shorter, MAX);
        // handshake length below the minimal body
        byte[] tiny = TLS13.clone();
        ClientHellos.setU24(tiny, 6, 40);
        assertRefused(TlsRefusal.MALFORMED, prefix(tiny, 9), MAX);
        // handshake length larger than what follows, the record says more is coming: wait
        byte[] longer = TLS13.clone();
        ClientHellos.setU24(longer, 6, TLS13.length - 9 + 10);
        assertNeedMore(longer, MAX);
    }

    @Test
    void clientHelloStructureErrors() {
        byte[] hs = ClientHellos.handshakeBytes(TLS13);
        int sessionIdAt = 4 + 2 + 32;
        byte[] sid33 = hs.clone();
        sid33[sessionIdAt] = 33;
        assertRefused(TlsRefusal.MALFORMED, ClientHellos.frame(sid33, MAX), MAX);

        int csAt = sessionIdAt + 1 + (hs[sessionIdAt] & 0xff);
        byte[] oddSuites = hs.clone();
        oddSuites[csAt + 1] |= 1;
        assertRefused(TlsRefusal.MALFORMED, ClientHellos.frame(oddSuites, MAX), MAX);
        byte[] noSuites = hs.clone();
        noSuites[csAt] = 0;
        noSuites[csAt + 1] = 0;
        assertRefused(TlsRefusal.MALFORMED, ClientHellos.frame(noSuites, MAX), MAX);

        int compAt = csAt + 2 + ClientHellos.u16(hs, csAt);
        byte[] noCompression = hs.clone();
        noCompression[compAt] = 0;
        assertRefused(TlsRefusal.MALFORMED, ClientHellos.frame(noCompression, MAX), MAX);

        int extAt = compAt + 1 + (hs[compAt] & 0xff);
        byte[] overrun = hs.clone();
        overrun[extAt + 1]++;
        assertRefused(TlsRefusal.MALFORMED, ClientHellos.frame(overrun, MAX), MAX);
        byte[] underrun = hs.clone();
        underrun[extAt + 1]--;
        assertRefused(TlsRefusal.MALFORMED, ClientHellos.frame(underrun, MAX), MAX);
        // first extension's length overruns the block
        byte[] extOverrun = hs.clone();
        extOverrun[extAt + 2 + 2] = 0x7f;
        assertRefused(TlsRefusal.MALFORMED, ClientHellos.frame(extOverrun, MAX), MAX);
        // trailing garbage inside the handshake length
        byte[] trailing = concat(hs, new byte[] {0, 0});
        ClientHellos.setU24(trailing, 1, trailing.length - 4);
        assertRefused(TlsRefusal.MALFORMED, ClientHellos.frame(trailing, MAX), MAX);
        // legacy_version not 3.x
        byte[] v2 = hs.clone();
        v2[4] = 2;
        assertRefused(TlsRefusal.MALFORMED, ClientHellos.frame(v2, MAX), MAX);
    }

    @Test
    void duplicateExtensions() {
        assertRefused(TlsRefusal.MALFORMED, ClientHellos.withExtension(TLS13, 0, ClientHellos.sniData("evil.example")), MAX);
        assertRefused(TlsRefusal.MALFORMED, ClientHellos.withExtension(TLS13, 16, ClientHellos.alpnData("h2")), MAX);
        assertRefused(TlsRefusal.MALFORMED, syntheticHello(extension(0xff01, new byte[] {0}), extension(0xff01, new byte[] {0})), MAX);
        assertRefused(TlsRefusal.MALFORMED, syntheticHello(extension(21, new byte[0]), extension(21, new byte[0])), MAX);
        // many distinct extensions are fine
        byte[][] many = new byte[300][];
        for (int i = 0; i < many.length; i++) {
            many[i] = extension(1000 + i * 7, new byte[i % 3]);
        }
        hello(syntheticHello(many), MAX);
        many[299] = extension(1000, new byte[0]);
        assertRefused(TlsRefusal.MALFORMED, syntheticHello(many), MAX);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a..b", ".a", "a.b..", "..", ".", "a b", "a/b", "é.example", "a:443", "a\u0000b"})
    void invalidHostNames(String name) {
        assertRefused(TlsRefusal.MALFORMED, syntheticHello(extension(0, ClientHellos.sniData(name))), MAX);
    }

    @Test
    void hostNameLengthLimits() {
        assertRefused(TlsRefusal.MALFORMED, syntheticHello(extension(0, ClientHellos.sniData("x".repeat(254)))), MAX);
        assertRefused(TlsRefusal.MALFORMED, syntheticHello(extension(0, ClientHellos.sniData("x".repeat(1000)))), MAX);
    }

    @Test
    void serverNameListErrors() {
        assertRefused(TlsRefusal.MALFORMED, syntheticHello(extension(0, new byte[] {0, 0})), MAX);        // empty list
        assertRefused(TlsRefusal.MALFORMED, syntheticHello(extension(0, new byte[0])), MAX);              // no list length
        assertRefused(TlsRefusal.MALFORMED, syntheticHello(extension(0, new byte[] {0, 3, 0, 0, 0})), MAX); // zero-length name
        assertRefused(TlsRefusal.MALFORMED, syntheticHello(extension(0, new byte[] {0, 5, 0, 0, 9, 'a', 'b'})), MAX); // name overruns
        assertRefused(TlsRefusal.MALFORMED, syntheticHello(extension(0, new byte[] {0, 9, 0, 0, 2, 'a', 'b'})), MAX); // list overruns
        assertRefused(TlsRefusal.MALFORMED, syntheticHello(extension(0, new byte[] {0, 5, 0, 0, 2, 'a', 'b', 1, 0, 1, 'c'})), MAX); // list short
        assertRefused(TlsRefusal.MALFORMED, syntheticHello(extension(0, ClientHellos.sniData("a.example", "b.example"))), MAX);
    }

    @Test
    void alpnErrors() {
        assertRefused(TlsRefusal.MALFORMED, syntheticHello(extension(16, new byte[] {0, 0})), MAX);
        assertRefused(TlsRefusal.MALFORMED, syntheticHello(extension(16, new byte[] {0, 1, 0})), MAX);
        assertRefused(TlsRefusal.MALFORMED, syntheticHello(extension(16, new byte[] {0, 3, 2, 'h', '2', 0})), MAX);
        assertRefused(TlsRefusal.MALFORMED, syntheticHello(extension(16, ClientHellos.alpnData("h2", ""))), MAX);
        assertRefused(TlsRefusal.MALFORMED, syntheticHello(extension(16, new byte[] {0, 3, 5, 'h', '2'})), MAX);
        assertRefused(TlsRefusal.MALFORMED, syntheticHello(extension(16, new byte[] {0, 3, 2, 'h', '2', 1, 'x'})), MAX); // list shorter than the extension
        List<String> many = List.of("h3", "h2", "http/1.1", "spdy/3", "\u00ff\u0001x");
        assertEquals(many, hello(syntheticHello(extension(16, ClientHellos.alpnData(many.toArray(String[]::new)))), MAX).alpn());
    }

    @Test
    void supportedVersions() {
        assertTrue(hello(syntheticHello(extension(43, new byte[] {4, 0x7a, 0x7a, 3, 4})), MAX).offersTls13());
        assertFalse(hello(syntheticHello(extension(43, new byte[] {4, 3, 3, 3, 2})), MAX).offersTls13());
        assertRefused(TlsRefusal.MALFORMED, syntheticHello(extension(43, new byte[] {3, 3, 4, 3})), MAX);
        assertRefused(TlsRefusal.MALFORMED, syntheticHello(extension(43, new byte[] {0})), MAX);
        assertRefused(TlsRefusal.MALFORMED, syntheticHello(extension(43, new byte[] {4, 3, 4})), MAX);
        assertRefused(TlsRefusal.MALFORMED, syntheticHello(extension(43, new byte[0])), MAX);
    }

    @Test
    void encryptedClientHello() {
        byte[] payload = new byte[200];
        new Random(7).nextBytes(payload);
        byte[] ech = ClientHellos.withExtension(TLS13, 0xfe0d, payload);
        ClientHelloInfo info = hello(ech, MAX);
        assertTrue(info.encryptedClientHello());
        assertEquals("chat.example.com", info.serverName());
        assertEquals(H2, info.alpn());
        assertEquals(TLS13.length + 4 + 200, ech.length);
    }

    @Test
    void refusalWords() {
        assertEquals("not-tls", TlsRefusal.NOT_TLS.word());
        assertEquals("sslv2-hello", TlsRefusal.SSLV2_HELLO.word());
        assertEquals("malformed", TlsRefusal.MALFORMED.word());
        assertEquals("too-large", TlsRefusal.TOO_LARGE.word());
        assertEquals("timeout", TlsRefusal.TIMEOUT.word());
        assertEquals("no-route", TlsRefusal.NO_ROUTE.word());
    }
}
