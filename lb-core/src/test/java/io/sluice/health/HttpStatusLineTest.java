package io.sluice.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class HttpStatusLineTest {

    @Test
    void parsesTheStatusCode() {
        assertEquals(200, HttpStatusHandler.parseStatus("HTTP/1.1 200 OK\r"));
        assertEquals(503, HttpStatusHandler.parseStatus("HTTP/1.0 503 Service Unavailable"));
        assertEquals(204, HttpStatusHandler.parseStatus("HTTP/1.1 204 \r"));
        assertEquals(204, HttpStatusHandler.parseStatus("HTTP/1.1 204\r"));
        assertEquals(204, HttpStatusHandler.parseStatus("HTTP/1.1 204"));
    }

    @Test
    void refusesWhatIsNotAStatusLine() {
        for (String bad : new String[] {"", "HTTP/1.1", "HTTP/2 200 OK", "HTTP/1.1 2x0 OK", "HTTP/1.1 2000 OK",
                "SSH-2.0-OpenSSH_9.6", "HTTP/1.1 099 low", "http/1.1 200 OK"}) {
            assertEquals(-1, HttpStatusHandler.parseStatus(bad), bad);
        }
    }

    @Test
    void hostHeaderOfAnAddress() throws Exception {
        assertEquals("127.0.0.1:8080", HttpCheck.hostHeader(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 8080)));
        assertEquals("[::1]:8443", HttpCheck.hostHeader(new InetSocketAddress(InetAddress.getByName("::1"), 8443)));
    }
}
