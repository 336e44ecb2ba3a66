package io.sluice.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.agent.SluiceAgent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigLoaderTest {

    @TempDir
    Path dir;

    private static AgentConfig parse(String yaml) throws ConfigException {
        return AgentConfigLoader.parse("agent.yaml", yaml, () -> "app3", () -> "10.0.0.99");
    }

    @Test
    void fullExample() throws Exception {
        AgentConfig c = parse("""
                registry: consul
                consul: { address: http://127.0.0.1:8500, token-file: /etc/sluice/consul.token }
                zookeeper: { connect: 127.0.0.1:2181, base-path: /sluice }
                services:
                  - name: chat
                    id: chat-app-3
                    address: 10.0.0.13
                    port: 8443
                    tags: [edge]
                    weight: 100
                    check: { type: http, target: 127.0.0.1:8080, path: /healthz, interval: 5s, timeout: 2s }
                    drain-on-shutdown: 30s
                """);
        assertEquals(AgentConfig.Registry.CONSUL, c.registry());
        assertEquals(Optional.of(Path.of("/etc/sluice/consul.token")), c.consul().tokenFile());
        ServiceConfig s = c.services().get(0);
        assertEquals(new ServiceConfig("chat", "chat-app-3", "10.0.0.13", 8443, List.of("edge"), 100,
                new CheckConfig(CheckConfig.Type.HTTP, "127.0.0.1", 8080, "/healthz", Duration.ofSeconds(5),
                        Duration.ofSeconds(2)), Duration.ofSeconds(30)), s);
        assertEquals(Duration.ofSeconds(15), s.check().ttl());
    }

    @Test
    void defaults() throws Exception {
        ServiceConfig s = parse("services: [ { name: chat, port: 8443 } ]").services().get(0);
        assertEquals("chat-app3-8443", s.id());
        assertEquals("10.0.0.99", s.address());
        assertEquals(100, s.weight());
        assertEquals(CheckConfig.Type.TCP, s.check().type());
        assertEquals(8443, s.check().port());
        assertEquals(Duration.ofSeconds(30), s.drainOnShutdown());
    }

    @Test
    void badConfigIsExitTwoWithoutStackTrace() throws Exception {
        Path f = dir.resolve("agent.yaml");
        Files.writeString(f, "services:\n  - name: chat\n    port: 99999\n");
        for (String cmd : List.of("run", "drain", "ready")) {
            StringWriter err = new StringWriter();
            var cl = SluiceAgent.commandLine();
            cl.setErr(new PrintWriter(err));
            cl.setOut(new PrintWriter(new StringWriter()));
            assertEquals(2, cl.execute(cmd, "--config", f.toString()), cmd);
            assertEquals("sluice-agent: " + f + ":3: services[0].port: 99999 (expected 1..65535)", err.toString().trim());
        }
        StringWriter err = new StringWriter();
        var cl = SluiceAgent.commandLine();
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("run", "--config", dir.resolve("missing.yaml").toString()));
        assertEquals("sluice-agent: " + dir.resolve("missing.yaml") + ":0: cannot read: no such file", err.toString().trim());
    }

    @Test
    void everyErrorIsPrintedOnItsOwnLine() throws Exception {
        Path f = dir.resolve("agent.yaml");
        Files.writeString(f, "services:\n  - name: chat\n    port: 99999\n    weight: lots\n");
        StringWriter err = new StringWriter();
        var cl = SluiceAgent.commandLine();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        assertEquals(2, cl.execute("run", "--config", f.toString()));
        assertEquals("sluice-agent: " + f + ":3: services[0].port: 99999 (expected 1..65535)\n"
                + "sluice-agent: " + f + ":4: services[0].weight: 'lots' (expected an integer 0..1000)",
                err.toString().trim());
    }
}
