package io.sluice.warmup;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal TLS 1.2 ClientHello record with one cipher suite and a server_name extension: enough for
 * a tls listener to sniff and route it (RFC 8446 section 4.1.2, RFC 6066 section 3), built here so the
 * warm-up needs no TLS stack (loading JSSE would cost the start more than the warm-up saves).
 *
 * <p>Thread-safe: static and immutable.
 */
final class SyntheticClientHello {

    private SyntheticClientHello() {}

    /** The record bytes of a ClientHello that names {@code serverName}. */
    static byte[] naming(String serverName) {
        byte[] name = serverName.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream sni = new ByteArrayOutputStream();
        u16(sni, name.length + 3);  // server_name_list length
        sni.write(0);               // name_type host_name
        u16(sni, name.length);
        sni.writeBytes(name);
        byte[] sniBody = sni.toByteArray();

        ByteArrayOutputStream hello = new ByteArrayOutputStream();
        u16(hello, 0x0303);         // legacy_version TLS 1.2
        hello.writeBytes(new byte[32]); // random
        hello.write(0);             // legacy_session_id: empty
        u16(hello, 2);
        u16(hello, 0x1301);         // cipher_suites: TLS_AES_128_GCM_SHA256
        hello.write(1);
        hello.write(0);             // legacy_compression_methods: null
        u16(hello, sniBody.length + 4); // extensions length
        u16(hello, 0x0000);         // extension server_name
        u16(hello, sniBody.length);
        hello.writeBytes(sniBody);
        byte[] body = hello.toByteArray();

        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.write(0x16);         // handshake
        u16(record, 0x0301);
        u16(record, body.length + 4);
        record.write(0x01);         // client_hello
        record.write(0);
        u16(record, body.length);
        record.writeBytes(body);
        return record.toByteArray();
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v & 0xff);
    }
}
