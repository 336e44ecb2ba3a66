package io.sluice.tls;

import java.util.List;

/**
 * What routing needs from a ClientHello.
 *
 * @param serverName the first SNI host_name (RFC 6066 §3), lowercase ASCII with one trailing dot
 *     removed; {@code null} when the client sent no host_name
 * @param alpn the ALPN protocol names offered (RFC 7301), in the client's order; empty if none
 * @param encryptedClientHello whether the encrypted_client_hello extension (0xfe0d) is present; if so
 *     {@code serverName} is the outer (public) name
 * @param offersTls13 whether supported_versions (RFC 8446 §4.2.1) lists TLS 1.3 (0x0304)
 * @param helloLength length of the handshake message, including its 4-byte header
 * @param recordCount number of TLS records the ClientHello spanned
 */
public record ClientHelloInfo(
        String serverName,
        List<String> alpn,
        boolean encryptedClientHello,
        boolean offersTls13,
        int helloLength,
        int recordCount) {

    public ClientHelloInfo {
        alpn = List.copyOf(alpn); // no copy when already unmodifiable (the parser passes List.copyOf output)
    }
}
