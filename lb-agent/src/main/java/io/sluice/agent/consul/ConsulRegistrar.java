package io.sluice.agent.consul;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.agent.config.AgentConfig.ConsulConfig;
import io.sluice.agent.config.ConfigException;
import io.sluice.agent.config.ServiceConfig;
import io.sluice.agent.probe.AppProbe;
import io.sluice.agent.registrar.Registrar;
import io.sluice.registration.ConsulServiceMeta;
import io.sluice.registry.consul.ConsulClient;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service in the local Consul agent, with a TTL check the agent keeps alive:
 * {@code PUT /v1/agent/service/register} with {@code Check: {CheckID: service:<id>, TTL: 3 × interval}}
 * and {@code Weights {Passing: weight, Warning: 1}}, then {@code PUT /v1/agent/check/pass|fail/service:<id>}
 * after every probe. If Consul no longer knows the check (its agent restarted without state, or
 * someone deregistered the service), the update answers 404, or 500 "does not exist" on older Consul,
 * and the service is registered again at once.
 *
 * <p>Consul is spoken through lb-registry's {@link ConsulClient}, the client the daemon's discovery and
 * override store use too. Calls block; the agent makes them from its one probe thread.
 */
public final class ConsulRegistrar implements Registrar {

    private static final Logger log = LoggerFactory.getLogger(ConsulRegistrar.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final ConsulClient consul;
    private final ServiceConfig service;
    private final String checkId;
    private Boolean lastUp;

    public ConsulRegistrar(ConsulClient consul, ServiceConfig service) {
        this.consul = consul;
        this.service = service;
        this.checkId = "service:" + service.id();
    }

    /**
     * The client for a configuration; reads the token file (if configured) now, so a bad path fails at
     * start with exit 2. The agent endpoints take no datacenter: they act on the local agent.
     */
    public static ConsulClient client(ConsulConfig config) throws ConfigException {
        String token = null;
        if (config.tokenFile().isPresent()) {
            try {
                token = Files.readString(config.tokenFile().get(), StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new ConfigException("consul.token-file: cannot read " + config.tokenFile().get() + ": " + e);
            }
        }
        try {
            return ConsulClient.create(URI.create(config.address()), token, null, TIMEOUT);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("consul.address: " + e.getMessage());
        }
    }

    @Override
    public String id() {
        return service.id();
    }

    /** The TTL check's id, {@code service:<id>}. */
    public String checkId() {
        return checkId;
    }

    @Override
    public void register() throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("ID", service.id());
        body.put("Name", service.name());
        body.putArray("Tags").addAll(service.tags().stream().map(JSON.getNodeFactory()::textNode).toList());
        body.put("Address", service.address());
        body.put("Port", service.port());
        body.putObject("Meta").put(ConsulServiceMeta.WEIGHT_KEY, Integer.toString(service.weight()));
        body.putObject("Weights").put("Passing", Math.max(1, service.weight())).put("Warning", 1);
        ObjectNode check = body.putObject("Check");
        check.put("CheckID", checkId);
        check.put("Name", "sluice-agent " + service.check().type().name().toLowerCase(Locale.ROOT) + " probe");
        check.put("TTL", service.check().ttl().toMillis() + "ms");
        check.put("Notes", "kept alive by sluice-agent; fails after 3 missed probes");
        ConsulClient.Response r = consul.register(body);
        if (!r.ok()) {
            throw new IOException("Consul refused to register " + service.id() + ": " + r.status() + " " + r.body());
        }
        lastUp = null;
        log.info("registered {} ({}:{}) in Consul with TTL check {}", service.id(), service.address(),
                service.port(), checkId);
    }

    @Override
    public void report(AppProbe.Result result) throws Exception {
        ConsulClient.Response r = consul.updateTtlCheck(checkId, result.up(), result.detail());
        if (isUnknown(r)) {
            log.warn("Consul lost {} ({} {}); registering it again", service.id(), r.status(), r.body());
            register();
            r = consul.updateTtlCheck(checkId, result.up(), result.detail());
        }
        if (!r.ok()) {
            throw new IOException("Consul refused the check update for " + service.id() + ": " + r.status() + " "
                    + r.body());
        }
        if (lastUp == null || lastUp != result.up()) {
            log.info("{}: app is {} ({})", service.id(), result.up() ? "up" : "DOWN", result.detail());
            lastUp = result.up();
        }
    }

    @Override
    public void maintenance(boolean enable, String reason) throws Exception {
        ConsulClient.Response r = consul.maintenance(service.id(), enable, reason);
        if (!r.ok()) {
            throw new IOException("Consul refused maintenance " + (enable ? "on" : "off") + " for " + service.id()
                    + ": " + r.status() + " " + r.body());
        }
        log.info("{}: maintenance {}", service.id(), enable ? "on" : "off");
    }

    @Override
    public void deregister() throws Exception {
        ConsulClient.Response r = consul.deregister(service.id());
        if (!r.ok() && r.status() != 404) {
            throw new IOException("Consul refused to deregister " + service.id() + ": " + r.status() + " " + r.body());
        }
        log.info("deregistered {} from Consul", service.id());
    }

    @Override
    public void close() {
        // java.net.http keeps no resources that need closing on Java 17
    }

    /** 404 (current Consul) or 500 "... does not exist" / "Unknown check" (older Consul): the check is gone. */
    private static boolean isUnknown(ConsulClient.Response r) {
        if (r.status() == 404) {
            return true;
        }
        String body = r.body().toLowerCase(Locale.ROOT);
        return r.status() == 500 && (body.contains("does not exist") || body.contains("unknown check"));
    }
}
