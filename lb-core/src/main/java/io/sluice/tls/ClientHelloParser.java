package io.sluice.tls;

import io.netty.buffer.ByteBuf;
import io.sluice.tls.ParseResult.Hello;
import io.sluice.tls.ParseResult.Refused;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the TLS ClientHello at the start of a connection, without terminating TLS, to find the SNI
 * host name and the ALPN protocols a route can match on.
 *
 * <p>Why not Netty's {@code SslClientHelloHandler}: it cannot tell "not TLS at all" from "SSLv2",
 * "malformed" or "too large", and operators need those as separate refusal counters
 * ({@link TlsRefusal}).
 *
 * <h2>What is checked</h2>
 * <ul>
 *   <li>Records (RFC 8446 §5.1): content type 22 (handshake), legacy_record_version 0x0300..0x0304,
 *       length 1..2^14. The ClientHello may be fragmented over several handshake records; any other
 *       content type before it is complete is malformed.
 *   <li>Handshake framing (RFC 8446 §4): msg_type 1 (client_hello) and a 3-byte length, checked
 *       against {@code maxClientHello} as soon as the 4-byte header is in.
 *   <li>ClientHello (RFC 8446 §4.1.2): every vector's bounds, the body consumed exactly, the
 *       extension list (§4.2) exactly filling its block with no type twice.
 *   <li>server_name (RFC 6066 §3), application_layer_protocol_negotiation (RFC 7301 §3.1) and
 *       supported_versions (RFC 8446 §4.2.1) are decoded and validated; encrypted_client_hello
 *       (draft-ietf-tls-esni, type 0xfe0d) is only noted. Other extensions are skipped unread.
 * </ul>
 * The parser is deliberately no stricter than that: the backend terminates TLS and is the authority
 * on everything else (e.g. that pre_shared_key comes last, cipher suite values, legacy_version minor).
 *
 * <h2>Bounds</h2>
 * The handshake message (4-byte header + body) may be at most {@code maxClientHello} bytes; the bytes
 * from the first byte up to the last byte of the ClientHello, record headers included, may be at most
 * {@link #bufferLimit(int)}: {@code maxClientHello} plus 5 bytes for each of
 * {@code maxClientHello / 16384 + 1} full-size records plus {@value #EXTRA_RECORD_ALLOWANCE} extra
 * records' headers (room for clients that fragment the hello). The verdict depends only on the bytes,
 * never on how they were chunked into reads: {@code NeedMore} is returned only while fewer than
 * {@code bufferLimit} bytes are buffered.
 *
 * <h2>Cost</h2>
 * Allocation-free except for the result (and the few strings in it, a scratch array for a host name of
 * at most 254 bytes and one small int[] of extension types used to find duplicates). Bytes are read
 * with absolute gets and never copied: a hello fragmented over several records is read through a
 * forward-only cursor that hops over the record headers it meets, so a hello in one record (the usual
 * case) and one in many cost the same. Each call re-examines the buffer from its first byte, in time
 * linear in at most {@code bufferLimit} bytes; the caller calls again after each read.
 */
public final class ClientHelloParser {

    /** RFC 8446 §5.1: type(1) + legacy_record_version(2) + length(2). */
    static final int RECORD_HEADER_LENGTH = 5;
    /** RFC 8446 §5.1: "The length MUST NOT exceed 2^14 bytes." */
    static final int MAX_RECORD_PAYLOAD = 1 << 14;
    /** Record headers allowed beyond those of full-size records, see {@link #bufferLimit(int)}. */
    static final int EXTRA_RECORD_ALLOWANCE = 64;

    private static final int CONTENT_HANDSHAKE = 22;
    private static final int HANDSHAKE_CLIENT_HELLO = 1;
    private static final int HANDSHAKE_HEADER_LENGTH = 4;
    /** legacy_version(2) random(32) session_id<0..32>(1) cipher_suites<2..>(2+2) compression<1..>(1+1). */
    private static final int MIN_CLIENT_HELLO_BODY = 2 + 32 + 1 + 2 + 2 + 1 + 1;
    private static final int MAX_SESSION_ID = 32;

    private static final int EXT_SERVER_NAME = 0;            // RFC 6066 §3
    private static final int EXT_ALPN = 16;                  // RFC 7301 §3.1
    private static final int EXT_SUPPORTED_VERSIONS = 43;    // RFC 8446 §4.2.1
    private static final int EXT_ENCRYPTED_CLIENT_HELLO = 0xfe0d; // draft-ietf-tls-esni
    private static final int NAME_TYPE_HOST_NAME = 0;        // RFC 6066 §3
    private static final int MAX_HOST_NAME = 253;
    private static final int TLS13 = 0x0304;

    private ClientHelloParser() {
    }

    /**
     * Examines the bytes a client has sent so far, from its very first byte ({@code readerIndex} to
     * {@code writerIndex}); the buffer's indexes and content are left untouched.
     *
     * <p>Never throws for any input (a {@code null} buffer is treated as empty); never reads beyond
     * {@code writerIndex}; linear in at most {@link #bufferLimit(int) bufferLimit(maxClientHello)}
     * bytes. Bytes after the ClientHello (early data, the rest of its last record) are ignored.
     *
     * @param maxClientHello limit on the ClientHello handshake message (4-byte header + body) and,
     *     with the record header allowance of {@link #bufferLimit(int)}, on the bytes buffered before
     *     a verdict
     */
    public static ParseResult parse(ByteBuf received, int maxClientHello) {
        if (received == null) {
            return ParseResult.NEED_MORE;
        }
        try {
            return parseRecords(received, received.readerIndex(), received.writerIndex(), maxClientHello);
        } catch (RuntimeException e) {
            // Not expected for any byte sequence (the fuzz test checks that this never happens); a
            // released buffer, for instance, gets here. Refuse rather than break the event loop.
            return refused(TlsRefusal.MALFORMED, "internal parser error: " + e);
        }
    }

    /**
     * The most bytes, record headers included, that may precede the end of a ClientHello:
     * {@code maxClientHello + 5 * (maxClientHello / 16384 + 1 + 64)}. A buffer longer than this never
     * gets {@code NeedMore}.
     */
    public static long bufferLimit(int maxClientHello) {
        long max = Math.max(0, maxClientHello);
        return max + (long) RECORD_HEADER_LENGTH * (max / MAX_RECORD_PAYLOAD + 1 + EXTRA_RECORD_ALLOWANCE);
    }

    // ---------------------------------------------------------------------------------------------
    // Records (RFC 8446 §5.1) and handshake header (RFC 8446 §4)

    private static ParseResult parseRecords(ByteBuf buf, int start, int end, int maxClientHello) {
        if (start >= end) {
            return ParseResult.NEED_MORE;
        }
        int first = buf.getUnsignedByte(start);
        if (first != CONTENT_HANDSHAKE) {
            // SSLv2 record header: 2-byte form with the high bit set, then msg_type (CLIENT-HELLO = 1).
            if ((first & 0x80) != 0) {
                if (end - start < 3) {
                    return ParseResult.NEED_MORE;
                }
                int msgType = buf.getUnsignedByte(start + 2);
                if (msgType == 1) {
                    return refused(TlsRefusal.SSLV2_HELLO, "SSLv2-compatible ClientHello");
                }
                return refused(TlsRefusal.NOT_TLS, "first byte " + hex2(first) + " has the high bit set but byte 2 is "
                        + hex2(msgType) + ", not an SSLv2 CLIENT-HELLO");
            }
            return refused(TlsRefusal.NOT_TLS, "first byte " + hex2(first) + " " + printable(first)
                    + " is not a TLS handshake record (0x16)");
        }

        long limit = bufferLimit(maxClientHello);
        int pos = start;          // absolute index of the next record header
        int records = 0;
        long handshakeSeen = 0;   // handshake bytes claimed by the records walked so far
        int header = 0;           // the 4-byte handshake header, accumulated across records
        int headerBytes = 0;
        long helloTotal = -1;     // 4 + body length, once the header is in

        while (true) {
            // The hello cannot end before this record's header plus one payload byte.
            if ((long) pos - start + RECORD_HEADER_LENGTH + 1 > limit) {
                return tooLargeBuffered(limit, maxClientHello);
            }
            int avail = end - pos;
            if (avail <= 0) {
                return ParseResult.NEED_MORE;
            }
            int type = buf.getUnsignedByte(pos);
            if (type != CONTENT_HANDSHAKE) {
                return refused(TlsRefusal.MALFORMED, "record " + (records + 1) + " has content type " + type
                        + " (" + contentTypeName(type) + ") before the ClientHello was complete");
            }
            if (avail >= 2 && buf.getUnsignedByte(pos + 1) != 3) {
                return refused(TlsRefusal.MALFORMED, "record " + (records + 1) + " version major "
                        + buf.getUnsignedByte(pos + 1) + " is not 3");
            }
            if (avail >= 3 && buf.getUnsignedByte(pos + 2) > 4) {
                return refused(TlsRefusal.MALFORMED, "record " + (records + 1) + " version 0x03"
                        + hex2(buf.getUnsignedByte(pos + 2)).substring(2) + " is beyond TLS 1.3");
            }
            if (avail >= 4 && buf.getUnsignedByte(pos + 3) > (MAX_RECORD_PAYLOAD >>> 8)) {
                return refused(TlsRefusal.MALFORMED, "record " + (records + 1) + " is longer than 2^14 bytes");
            }
            if (avail < RECORD_HEADER_LENGTH) {
                return ParseResult.NEED_MORE;
            }
            int length = buf.getUnsignedShort(pos + 3);
            if (length == 0 || length > MAX_RECORD_PAYLOAD) {
                return refused(TlsRefusal.MALFORMED, "record " + (records + 1) + " has length " + length
                        + " (must be 1..16384)");
            }
            records++;
            int payload = pos + RECORD_HEADER_LENGTH;
            int payloadAvail = Math.min(length, end - payload);

            for (int i = 0; headerBytes < HANDSHAKE_HEADER_LENGTH && i < payloadAvail; i++) {
                header = header << 8 | buf.getUnsignedByte(payload + i);
                headerBytes++;
                if (headerBytes == 1 && header != HANDSHAKE_CLIENT_HELLO) {
                    return refused(TlsRefusal.MALFORMED, "handshake message type " + header + " is not client_hello (1)");
                }
            }
            if (helloTotal < 0 && headerBytes == HANDSHAKE_HEADER_LENGTH) {
                int bodyLength = header & 0xffffff;
                helloTotal = HANDSHAKE_HEADER_LENGTH + (long) bodyLength;
                if (helloTotal > maxClientHello) {
                    return refused(TlsRefusal.TOO_LARGE, "ClientHello of " + helloTotal + " bytes exceeds the limit of "
                            + maxClientHello);
                }
                if (bodyLength < MIN_CLIENT_HELLO_BODY) {
                    return refused(TlsRefusal.MALFORMED, "ClientHello body length " + bodyLength
                            + " is below the minimum of " + MIN_CLIENT_HELLO_BODY);
                }
            }
            // Size checks use only lower bounds on where the hello ends that no later byte can lower,
            // so the verdict does not depend on how the bytes were split into reads.
            if (helloTotal >= 0) {
                if (handshakeSeen + length >= helloTotal) {
                    long helloEnd = payload + (helloTotal - handshakeSeen); // absolute index after the hello
                    if (helloEnd - start > limit) {
                        return tooLargeBuffered(limit, maxClientHello);
                    }
                    if (helloEnd > end) {
                        return ParseResult.NEED_MORE;
                    }
                    return new HelloReader(buf, start, (int) helloTotal, records).read();
                }
                if ((long) payload + length - start > limit) { // the hello continues after this record
                    return tooLargeBuffered(limit, maxClientHello);
                }
            } else if ((long) payload + payloadAvail + 1 - start > limit) { // header incomplete: 1+ more byte
                return tooLargeBuffered(limit, maxClientHello);
            }
            handshakeSeen += length;
            if (payloadAvail < length) {
                return ParseResult.NEED_MORE;
            }
            pos = payload + length;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // ClientHello body (RFC 8446 §4.1.2) and extensions (§4.2), read through a cursor over records

    /**
     * Reads a complete ClientHello whose records have all been validated by {@link #parseRecords}.
     * Offsets ({@link #off}) are logical positions in the handshake message; every read is preceded by
     * a bounds check against the end of the enclosing vector, itself within the message, so the cursor
     * never leaves the validated records.
     */
    private static final class HelloReader {
        private final ByteBuf buf;
        private final int helloLength;
        private final int records;
        private int pos;   // absolute index of the next byte
        private int left;  // payload bytes left in the current record; 0 means a record header is next
        private int off;   // logical offset in the handshake message

        private String serverName;
        private List<String> alpn = List.of();
        private boolean encryptedClientHello;
        private boolean offersTls13;

        HelloReader(ByteBuf buf, int start, int helloLength, int records) {
            this.buf = buf;
            this.helloLength = helloLength;
            this.records = records;
            this.pos = start;
            this.left = 0;
            this.off = 0;
        }

        ParseResult read() {
            skip(HANDSHAKE_HEADER_LENGTH);
            int end = helloLength;
            // legacy_version: 0x0303 for TLS 1.2/1.3 clients, 0x0300..0x0302 for older ones.
            int legacyVersion = u16();
            if (legacyVersion >>> 8 != 3) {
                return malformed("ClientHello legacy_version " + hex4(legacyVersion) + " is not 3.x");
            }
            skip(32); // random
            // legacy_session_id<0..32>
            int sessionId = u8();
            if (sessionId > MAX_SESSION_ID) {
                return malformed("legacy_session_id length " + sessionId + " exceeds 32");
            }
            if (!fits(sessionId, end)) {
                return malformed("legacy_session_id overruns the ClientHello");
            }
            skip(sessionId);
            // cipher_suites<2..2^16-2>, two bytes each
            if (!fits(2, end)) {
                return malformed("ClientHello ends before cipher_suites");
            }
            int cipherSuites = u16();
            if (cipherSuites < 2 || (cipherSuites & 1) != 0) {
                return malformed("cipher_suites length " + cipherSuites + " is not even and at least 2");
            }
            if (!fits(cipherSuites, end)) {
                return malformed("cipher_suites length " + cipherSuites + " overruns the ClientHello");
            }
            skip(cipherSuites);
            // legacy_compression_methods<1..2^8-1>
            if (!fits(1, end)) {
                return malformed("ClientHello ends before legacy_compression_methods");
            }
            int compression = u8();
            if (compression < 1) {
                return malformed("legacy_compression_methods is empty");
            }
            if (!fits(compression, end)) {
                return malformed("legacy_compression_methods overruns the ClientHello");
            }
            skip(compression);
            if (off == end) {
                return hello(); // no extensions block (pre-TLS 1.2 clients)
            }
            // extensions<0..2^16-1> must end exactly where the handshake message ends
            if (!fits(2, end)) {
                return malformed("one stray byte where the extensions length should be");
            }
            int extensionsLength = u16();
            if (extensionsLength != end - off) {
                return malformed("extensions block length " + extensionsLength + " but " + (end - off)
                        + " bytes remain in the ClientHello");
            }
            Refused problem = readExtensions(end);
            return problem != null ? problem : hello();
        }

        private Refused readExtensions(int end) {
            // Types seen, to reject duplicates (RFC 8446 §4.2: "There MUST NOT be more than one
            // extension of the same type"). Sorted once at the end: O(k log k), k <= maxClientHello / 4.
            int[] types = new int[Math.min(32, (end - off) / 4 + 1)];
            int count = 0;
            while (off < end) {
                if (!fits(4, end)) {
                    return malformed("extension header truncated at the end of the extensions block");
                }
                int type = u16();
                int length = u16();
                if (!fits(length, end)) {
                    return malformed("extension " + hex4(type) + " length " + length + " overruns the extensions block");
                }
                if (count == types.length) {
                    types = Arrays.copyOf(types, count * 2);
                }
                types[count++] = type;
                int extensionEnd = off + length;
                Refused problem;
                switch (type) {
                    case EXT_SERVER_NAME -> problem = readServerName(extensionEnd);
                    case EXT_ALPN -> problem = readAlpn(extensionEnd);
                    case EXT_SUPPORTED_VERSIONS -> problem = readSupportedVersions(extensionEnd);
                    case EXT_ENCRYPTED_CLIENT_HELLO -> {
                        encryptedClientHello = true;
                        skip(length);
                        problem = null;
                    }
                    default -> {
                        skip(length);
                        problem = null;
                    }
                }
                if (problem != null) {
                    return problem;
                }
                if (off != extensionEnd) { // the readers check exact fill; this is a safety net
                    return malformed("extension " + hex4(type) + " not consumed exactly");
                }
            }
            Arrays.sort(types, 0, count);
            for (int i = 1; i < count; i++) {
                if (types[i] == types[i - 1]) {
                    return malformed("duplicate extension " + hex4(types[i]));
                }
            }
            return null;
        }

        /** RFC 6066 §3: ServerNameList server_name_list<1..2^16-1> of {NameType name_type; HostName<1..2^16-1>}. */
        private Refused readServerName(int end) {
            if (!fits(2, end)) {
                return malformed("server_name extension too short for its list length");
            }
            int listLength = u16();
            if (listLength == 0) {
                return malformed("server_name list is empty");
            }
            if (listLength != end - off) {
                return malformed("server_name list length " + listLength + " does not fill the extension");
            }
            String host = null;
            while (off < end) {
                if (!fits(3, end)) {
                    return malformed("server_name entry truncated");
                }
                int nameType = u8();
                // Only host_name is defined; like OpenSSL and Go we read every entry as
                // length-prefixed so an unknown type can be skipped.
                int nameLength = u16();
                if (nameLength == 0) {
                    return malformed("server_name entry of type " + nameType + " is empty");
                }
                if (!fits(nameLength, end)) {
                    return malformed("server_name entry length " + nameLength + " overruns the list");
                }
                if (nameType != NAME_TYPE_HOST_NAME) {
                    skip(nameLength);
                    continue;
                }
                if (host != null) {
                    // "The ServerNameList MUST NOT contain more than one name of the same name_type."
                    return malformed("more than one host_name in server_name");
                }
                host = readHostName(nameLength);
                if (host == null) {
                    return malformed("host_name is not a valid DNS name (letters, digits, '-', '_', "
                            + "non-empty labels, at most 253 characters)");
                }
            }
            serverName = host;
            return null;
        }

        /**
         * Reads and validates a host_name: ASCII letters, digits, '-', '.', '_' (tolerated: seen in
         * the wild), one trailing dot removed, 1..253 characters, no empty label. Returns it in
         * lowercase, or null if invalid (the bytes are consumed either way).
         */
        private String readHostName(int length) {
            if (length > MAX_HOST_NAME + 1) {
                skip(length);
                return null;
            }
            byte[] name = new byte[length];
            boolean valid = true;
            for (int i = 0; i < length; i++) {
                int c = u8();
                if (c >= 'A' && c <= 'Z') {
                    c += 'a' - 'A';
                } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_')) {
                    valid = false;
                }
                name[i] = (byte) c;
            }
            int n = name[length - 1] == '.' ? length - 1 : length;
            if (!valid || n == 0 || n > MAX_HOST_NAME) {
                return null;
            }
            // No empty label: no leading dot, no two dots in a row, and no dot left at the end
            // (that would have been "name..").
            for (int i = 0; i < n; i++) {
                if (name[i] == '.' && (i == 0 || i == n - 1 || name[i - 1] == '.')) {
                    return null;
                }
            }
            return new String(name, 0, n, StandardCharsets.ISO_8859_1);
        }

        /** RFC 7301 §3.1: ProtocolNameList protocol_name_list<2..2^16-1> of ProtocolName<1..2^8-1>. */
        private Refused readAlpn(int end) {
            if (!fits(2, end)) {
                return malformed("ALPN extension too short for its list length");
            }
            int listLength = u16();
            if (listLength < 2) {
                return malformed("ALPN protocol_name_list length " + listLength + " is below 2");
            }
            if (listLength != end - off) {
                return malformed("ALPN protocol_name_list length " + listLength + " does not fill the extension");
            }
            List<String> names = new ArrayList<>(4);
            while (off < end) {
                int length = u8();
                if (length == 0) {
                    return malformed("empty ALPN protocol name");
                }
                if (!fits(length, end)) {
                    return malformed("ALPN protocol name length " + length + " overruns the list");
                }
                names.add(latin1(length));
            }
            alpn = List.copyOf(names);
            return null;
        }

        /** RFC 8446 §4.2.1: in a ClientHello, ProtocolVersion versions<2..254>. */
        private Refused readSupportedVersions(int end) {
            if (!fits(1, end)) {
                return malformed("supported_versions extension is empty");
            }
            int length = u8();
            if (length < 2 || length > 254 || (length & 1) != 0) {
                return malformed("supported_versions length " + length + " is not even within 2..254");
            }
            if (length != end - off) {
                return malformed("supported_versions length " + length + " does not fill the extension");
            }
            for (int i = 0; i < length; i += 2) {
                if (u16() == TLS13) {
                    offersTls13 = true;
                }
            }
            return null;
        }

        private Hello hello() {
            return new Hello(new ClientHelloInfo(serverName, alpn, encryptedClientHello, offersTls13, helloLength, records));
        }

        // -- cursor ---------------------------------------------------------------------------------

        /** Whether n more bytes lie within the vector ending at logical offset end. */
        private boolean fits(int n, int end) {
            return n <= end - off;
        }

        private void enterNextRecord() {
            left = buf.getUnsignedShort(pos + 3); // validated non-zero by parseRecords
            pos += RECORD_HEADER_LENGTH;
        }

        private int u8() {
            if (left == 0) {
                enterNextRecord();
            }
            left--;
            off++;
            return buf.getUnsignedByte(pos++);
        }

        private int u16() {
            if (left >= 2) {
                int v = buf.getUnsignedShort(pos);
                pos += 2;
                left -= 2;
                off += 2;
                return v;
            }
            int hi = u8();
            return hi << 8 | u8();
        }

        private void skip(int n) {
            while (n > 0) {
                if (left == 0) {
                    enterNextRecord();
                }
                int k = Math.min(n, left);
                pos += k;
                left -= k;
                off += k;
                n -= k;
            }
        }

        private String latin1(int length) {
            if (left >= length) {
                String s = buf.toString(pos, length, StandardCharsets.ISO_8859_1);
                skip(length);
                return s;
            }
            byte[] bytes = new byte[length];
            for (int i = 0; i < length; i++) {
                bytes[i] = (byte) u8();
            }
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static Refused malformed(String detail) {
        return new Refused(TlsRefusal.MALFORMED, detail);
    }

    private static Refused refused(TlsRefusal reason, String detail) {
        return new Refused(reason, detail);
    }

    private static Refused tooLargeBuffered(long limit, int maxClientHello) {
        return refused(TlsRefusal.TOO_LARGE, "no complete ClientHello within " + limit + " bytes (max-client-hello "
                + maxClientHello + " plus record headers)");
    }

    private static String contentTypeName(int type) {
        return switch (type) {
            case 20 -> "change_cipher_spec";
            case 21 -> "alert";
            case 23 -> "application_data";
            case 24 -> "heartbeat";
            default -> "unknown";
        };
    }

    private static String printable(int b) {
        return b >= 0x20 && b < 0x7f ? "('" + (char) b + "')" : "";
    }

    private static String hex2(int b) {
        return "0x" + Character.forDigit(b >>> 4 & 0xf, 16) + Character.forDigit(b & 0xf, 16);
    }

    private static String hex4(int v) {
        return hex2(v >>> 8 & 0xff) + hex2(v & 0xff).substring(2);
    }
}
