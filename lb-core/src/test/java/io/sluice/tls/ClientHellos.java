package io.sluice.tls;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * Builds real and synthetic TLS ClientHello bytes (as a client sends them: TLS records) for tests,
 * and re-frames them. Shared with integration tests; all methods are pure.
 */
public final class ClientHellos {

    /** Handshake record content type (RFC 8446 §5.1). */
    public static final int HANDSHAKE = 22;
    public static final int MAX_FRAGMENT = 1 << 14;

    private ClientHellos() {
    }

    /**
     * The ClientHello record(s) the JDK's SSLEngine sends as a client; the same bytes on every call
     * with the same arguments (the engine gets a fixed-seed random).
     *
     * @param sni host name for server_name, or null to send none
     * @param alpn protocols for ALPN, empty to send none
     * @param protocols e.g. "TLSv1.3", "TLSv1.2"; none for the JDK default
     */
    public static byte[] jdkClientHello(String sni, List<String> alpn, String... protocols) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            // A seeded SHA1PRNG makes the random, session id and key shares - hence the bytes - the
            // same on every run, so fuzz cases replay exactly from their seed.
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(0x511CEL);
            context.init(null, null, random);
            SSLEngine engine = context.createSSLEngine();
            engine.setUseClientMode(true);
            SSLParameters parameters = engine.getSSLParameters();
            if (sni != null) {
                parameters.setServerNames(List.of(new SNIHostName(sni)));
            }
            if (!alpn.isEmpty()) {
                parameters.setApplicationProtocols(alpn.toArray(String[]::new));
            }
            if (protocols.length > 0) {
                parameters.setProtocols(protocols);
            }
            engine.setSSLParameters(parameters);
            engine.beginHandshake();
            ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize() * 2);
            SSLEngineResult result = engine.wrap(ByteBuffer.allocate(0), out);
            if (result.bytesProduced() == 0) {
                throw new IllegalStateException("SSLEngine produced no ClientHello: " + result);
            }
            out.flip();
            byte[] bytes = new byte[out.remaining()];
            out.get(bytes);
            return bytes;
        } catch (GeneralSecurityException | SSLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The SSLv2-compatible ClientHello old clients sent (2-byte header with the high bit, CLIENT-HELLO, version 3.1). */
    public static byte[] sslv2Hello() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10});
        // seven 3-byte cipher specs
        out.writeBytes(new byte[] {0x00, 0x00, 0x2f, 0x00, 0x00, 0x35, 0x00, 0x00, 0x0a, 0x01, 0x00, (byte) 0x80,
            0x07, 0x00, (byte) 0xc0, 0x03, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xff});
        out.writeBytes(new byte[16]); // challenge
        return out.toByteArray();
    }

    /** The handshake bytes carried by the leading handshake records of {@code records}, concatenated. */
    public static byte[] handshakeBytes(byte[] records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        while (pos + 5 <= records.length && (records[pos] & 0xff) == HANDSHAKE) {
            int length = u16(records, pos + 3);
            int n = Math.min(length, records.length - pos - 5);
            out.write(records, pos + 5, n);
            pos += 5 + length;
        }
        return out.toByteArray();
    }

    /** The bytes following the leading handshake records (e.g. early data appended by a test). */
    private static byte[] afterHandshakeRecords(byte[] records) {
        int pos = 0;
        while (pos + 5 <= records.length && (records[pos] & 0xff) == HANDSHAKE) {
            pos += 5 + u16(records, pos + 3);
        }
        return pos >= records.length ? new byte[0] : Arrays.copyOfRange(records, pos, records.length);
    }

    /** Frames handshake bytes into handshake records of at most {@code maxFragment} payload bytes, version 0x0301. */
    public static byte[] frame(byte[] handshake, int maxFragment) {
        return frame(handshake, maxFragment, 0x0301);
    }

    /** Frames handshake bytes into handshake records of at most {@code maxFragment} payload bytes. */
    public static byte[] frame(byte[] handshake, int maxFragment, int recordVersion) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int pos = 0; pos < handshake.length; pos += maxFragment) {
            int n = Math.min(maxFragment, handshake.length - pos);
            out.write(HANDSHAKE);
            out.write(recordVersion >>> 8);
            out.write(recordVersion & 0xff);
            out.write(n >>> 8);
            out.write(n & 0xff);
            out.write(handshake, pos, n);
        }
        return out.toByteArray();
    }

    /** The same handshake bytes re-framed into records of at most {@code maxFragment} payload bytes; any trailing bytes kept. */
    public static byte[] reframe(byte[] records, int maxFragment) {
        byte[] framed = frame(handshakeBytes(records), maxFragment, u16(records, 1));
        return concat(framed, afterHandshakeRecords(records));
    }

    /**
     * Inserts an extension at the front of the ClientHello's extension list (so pre_shared_key stays
     * last), fixing the extensions, handshake and record lengths; one record if it fits in 16384
     * bytes, else several.
     */
    public static byte[] withExtension(byte[] records, int type, byte[] data) {
        byte[] hs = handshakeBytes(records);
        int p = 4 + 2 + 32;
        p += 1 + (hs[p] & 0xff);            // legacy_session_id
        p += 2 + u16(hs, p);                // cipher_suites
        p += 1 + (hs[p] & 0xff);            // legacy_compression_methods
        byte[] oldExtensions = p >= hs.length ? new byte[0] : Arrays.copyOfRange(hs, p + 2, p + 2 + u16(hs, p));
        byte[] extensions = concat(extension(type, data), oldExtensions);
        byte[] message = concat(Arrays.copyOf(hs, p), u16Bytes(extensions.length), extensions);
        setU24(message, 1, message.length - 4);
        return concat(frame(message, MAX_FRAGMENT, u16(records, 1)), afterHandshakeRecords(records));
    }

    /** An encoded extension: type(2) length(2) data. */
    public static byte[] extension(int type, byte[] data) {
        return concat(u16Bytes(type), u16Bytes(data.length), data);
    }

    /** server_name extension data (RFC 6066) listing the given host_names (bytes taken as ISO-8859-1, unvalidated). */
    public static byte[] sniData(String... hostNames) {
        ByteArrayOutputStream list = new ByteArrayOutputStream();
        for (String name : hostNames) {
            byte[] b = name.getBytes(StandardCharsets.ISO_8859_1);
            list.write(0);
            list.writeBytes(u16Bytes(b.length));
            list.writeBytes(b);
        }
        return concat(u16Bytes(list.size()), list.toByteArray());
    }

    /** ALPN extension data (RFC 7301) offering the given protocols. */
    public static byte[] alpnData(String... protocols) {
        ByteArrayOutputStream list = new ByteArrayOutputStream();
        for (String protocol : protocols) {
            byte[] b = protocol.getBytes(StandardCharsets.ISO_8859_1);
            list.write(b.length);
            list.writeBytes(b);
        }
        return concat(u16Bytes(list.size()), list.toByteArray());
    }

    /**
     * A minimal ClientHello record: legacy_version 3.3, zero random, empty session id, one cipher
     * suite, null compression, then the given encoded extensions ({@link #extension}); no extensions
     * block at all when none are given.
     */
    public static byte[] syntheticHello(byte[]... extensions) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x03, 0x03});
        body.writeBytes(new byte[32]);
        body.write(0);                                            // legacy_session_id
        body.writeBytes(new byte[] {0x00, 0x02, 0x13, 0x01});     // cipher_suites
        body.writeBytes(new byte[] {0x01, 0x00});                 // compression: null
        if (extensions.length > 0) {
            byte[] all = concat(extensions);
            body.writeBytes(u16Bytes(all.length));
            body.writeBytes(all);
        }
        byte[] b = body.toByteArray();
        byte[] message = concat(new byte[] {1, (byte) (b.length >>> 16), (byte) (b.length >>> 8), (byte) b.length}, b);
        return frame(message, MAX_FRAGMENT, 0x0301);
    }

    public static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] part : parts) {
            n += part.length;
        }
        byte[] out = new byte[n];
        int pos = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, pos, part.length);
            pos += part.length;
        }
        return out;
    }

    static int u16(byte[] b, int pos) {
        return (b[pos] & 0xff) << 8 | (b[pos + 1] & 0xff);
    }

    static byte[] u16Bytes(int v) {
        return new byte[] {(byte) (v >>> 8), (byte) v};
    }

    static void setU24(byte[] b, int pos, int v) {
        b[pos] = (byte) (v >>> 16);
        b[pos + 1] = (byte) (v >>> 8);
        b[pos + 2] = (byte) v;
    }
}
