package io.sluice.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * JDK TLS clients for tests: handshake through the daemon with a chosen SNI, ALPN and protocol
 * version, and report which certificate (so which backend) answered.
 */
public final class TlsClients {

    private TlsClients() {}

    /** What one handshake saw. */
    public record Handshake(String certificateName, String greeting, String protocol, String alpn) {}

    /**
     * Connects to {@code proxy}, handshakes with {@code sni} (null: no SNI), offering {@code alpn},
     * restricted to {@code protocol} ("TLSv1.3", "TLSv1.2"), reads the backend's greeting line.
     */
    public static Handshake handshake(InetSocketAddress proxy, String sni, List<String> alpn, String protocol)
            throws Exception {
        try (SSLSocket s = open(proxy, sni, alpn, protocol)) {
            s.startHandshake();
            X509Certificate cert = (X509Certificate) s.getSession().getPeerCertificates()[0];
            String cn = cert.getSubjectX500Principal().getName().replaceFirst("^CN=", "");
            String greeting = Clients.readLine(s);
            return new Handshake(cn, greeting, s.getSession().getProtocol(), s.getApplicationProtocol());
        }
    }

    public static Handshake handshake(InetSocketAddress proxy, String sni) throws Exception {
        return handshake(proxy, sni, List.of(), "TLSv1.3");
    }

    /** An unconnected-handshake TLS socket over a fresh TCP connection. */
    public static SSLSocket open(InetSocketAddress proxy, String sni, List<String> alpn, String protocol) throws IOException {
        Socket tcp = Clients.connect(proxy);
        SSLSocket s = (SSLSocket) trustAll().getSocketFactory().createSocket(tcp, proxy.getHostString(), proxy.getPort(), true);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        p.setApplicationProtocols(alpn.toArray(String[]::new));
        p.setProtocols(new String[] {protocol});
        s.setSSLParameters(p);
        s.setSoTimeout(Clients.READ_TIMEOUT_MILLIS);
        return s;
    }

    /**
     * Trusts any certificate: the tests identify backends by their certificate's name, and the
     * point is that Sluice passes the backend's own certificate through untouched.
     */
    public static SSLContext trustAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
