package io.sluice.handover;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.harness.Clients;
import io.sluice.harness.EachRelay;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TlsBackend;
import io.sluice.harness.TlsConfigs;
import java.net.Socket;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The handover test's hand-driven TLS client against today's daemon (no handover): a ClientHello
 * sent in two halves, with a pause between, still reaches the backend its SNI names, and the
 * session carries data, on both relays. This keeps {@link EngineClient} honest.
 */
class SplitClientHelloTest extends EachRelay {

    @Test
    void aClientHelloInTwoHalvesCompletesWithTheBackend() throws Exception {
        try (TlsBackend backend = TlsBackend.start("app.test");
             RunningDaemon daemon = RunningDaemon.start(TlsConfigs.tls().route("app.test", "tls").pool("tls", backend).build())) {
            try (Socket raw = Clients.connect(daemon.address())) {
                EngineClient client = new EngineClient(raw, "app.test");
                byte[] hello = client.clientHello();
                int split = hello.length / 2;
                raw.getOutputStream().write(hello, 0, split);
                raw.getOutputStream().flush();
                Thread.sleep(200); // the daemon is now mid-sniff; nothing to await
                raw.getOutputStream().write(Arrays.copyOfRange(hello, split, hello.length));
                client.finishHandshake();
                assertEquals("app.test", client.peerName());
                assertEquals("app.test", client.readLine());
                client.write("ping\n");
                assertEquals("ping", client.readLine());
            }
        }
    }
}
