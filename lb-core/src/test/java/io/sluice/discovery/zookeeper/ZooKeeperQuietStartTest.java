package io.sluice.discovery.zookeeper;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.harness.Clients;
import io.sluice.harness.DaemonProcess;
import io.sluice.harness.Ports;
import io.sluice.harness.TestBackend;
import io.sluice.registration.InstancePayload;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon process discovering from a real ZooKeeper (curator-test) starts without the ZooKeeper
 * client's INFO lines (its ~30 lines of "Client environment", the socket openings) and without
 * Curator's warning about an executor it ignores: its default logging keeps them out
 * (RegistryClientLogFilter), leaving one line per connection state change.
 */
class ZooKeeperQuietStartTest {

    /** The default console pattern: {@code 11:01:13.622 INFO  [thread] logger - message}. */
    private static final Pattern LINE = Pattern.compile("^\\S+ (TRACE|DEBUG|INFO|WARN|ERROR)\\s+\\[[^\\]]*\\] (\\S+) - ");

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void aStartWithZooKeeperLogsNoClientInfoLines() throws Exception {
        try (TestingServer zk = new TestingServer(true);
             TestBackend a = TestBackend.namedEcho("a");
             ZooKeeperRegistration ra = ZooKeeperRegistration.register(zk.getConnectString(), "/sluice", "chat", "chat-a",
                     "127.0.0.1", a.address().getPort(), InstancePayload.defaults(), 10_000, 10_000)) {
            int port = Ports.freePort();
            int admin = Ports.freePort();
            Path config = Files.writeString(dir.resolve("zk.yaml"), """
                    listeners:
                      - { name: edge, bind: 127.0.0.1:%d, pool: chat }
                    pools:
                      chat:
                        health: { type: none }
                        discover: { zookeeper: { service: chat } }
                    discovery:
                      zookeeper: { connect: "%s" }
                    admin: { bind: 127.0.0.1:%d }
                    """.formatted(port, zk.getConnectString(), admin));
            try (DaemonProcess p = DaemonProcess.launch().adminPort(admin).start(dir, "run", "--config", config.toString())) {
                InetSocketAddress proxy = new InetSocketAddress("127.0.0.1", port);
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> "a".equals(Clients.backendNameVia(proxy)));
                // A listener may answer before the start line is written (it is bound first): wait for the line.
                await().atMost(Duration.ofSeconds(30)).until(() -> p.output().contains("Sluice started"));
                String out = p.output();
                List<String> clientLines = out.lines().filter(l -> {
                    Matcher m = LINE.matcher(l);
                    return m.find() && (m.group(2).startsWith("o.a.") || m.group(2).startsWith("org.apache."));
                }).toList();
                // Curator's one line per connection state change is all that is left of the clients.
                assertEquals(List.of("State change: CONNECTED"),
                        clientLines.stream().map(l -> l.substring(l.indexOf(" - ") + 3)).toList(), out);
                assertFalse(out.contains("Client environment:"), out);
                assertFalse(out.contains("CuratorCache does not support custom ExecutorService"), out);
                assertTrue(out.lines().anyMatch(l -> LINE.matcher(l).find()), "the pattern matches the daemon's lines:\n" + out);
                assertTrue(out.contains("Sluice started"), out);
            }
        }
    }
}
