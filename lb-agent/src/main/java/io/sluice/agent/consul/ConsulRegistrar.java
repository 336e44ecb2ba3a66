package io.sluice.agent.consul;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.agent.Registrar;
import io.sluice.agent.config.ServiceConfig;
import io.sluice.agent.probe.AppProbe;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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
 */
public final class ConsulRegistrar implements Registrar {

    private static final Logger log = LoggerFactory.getLogger(ConsulRegistrar.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ConsulHttp consul;
    private final ServiceConfig service;
    private final String checkId;
    private Boolean lastUp;

    public ConsulRegistrar(ConsulHttp consul, ServiceConfig service) {
        this.consul = consul;
        this.service = service;
        this.checkId = "service:" + service.id();
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
        body.putObject("Meta").put("sluice-weight", Integer.toString(service.weight()));
        body.putObject("Weights").put("Passing", Math.max(1, service.weight())).put("Warning", 1);
        ObjectNode check = body.putObject("Check");
        check.put("CheckID", checkId);
        check.put("Name", "sluice-agent " + service.check().type().name().toLowerCase(Locale.ROOT) + " probe");
        check.put("TTL", service.check().ttl().toMillis() + "ms");
        check.put("Notes", "kept alive by sluice-agent; fails after 3 missed probes");
        ConsulHttp.Response r = consul.put("/v1/agent/service/register", JSON.writeValueAsString(body));
        if (!r.ok()) {
            throw new IOException("Consul refused to register " + service.id() + ": " + r.status() + " " + r.body());
        }
        lastUp = null;
        log.info("registered {} ({}:{}) in Consul with TTL check {}", service.id(), service.address(),
                service.port(), checkId);
    }

    @Override
    public void report(AppProbe.Result result) throws Exception {
        String path = "/v1/agent/check/" + (result.up() ? "pass" : "fail") + "/" + enc(checkId)
                + "?note=" + enc(result.detail());
        ConsulHttp.Response r = consul.put(path, null);
        if (isUnknown(r)) {
            log.warn("Consul lost {} ({} {}); registering it again", service.id(), r.status(), r.body());
            register();
            r = consul.put(path, null);
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
        String path = "/v1/agent/service/maintenance/" + enc(service.id()) + "?enable=" + enable
                + (enable && reason != null ? "&reason=" + enc(reason) : "");
        ConsulHttp.Response r = consul.put(path, null);
        if (!r.ok()) {
            throw new IOException("Consul refused maintenance " + (enable ? "on" : "off") + " for " + service.id()
                    + ": " + r.status() + " " + r.body());
        }
        log.info("{}: maintenance {}", service.id(), enable ? "on" : "off");
    }

    @Override
    public void deregister() throws Exception {
        ConsulHttp.Response r = consul.put("/v1/agent/service/deregister/" + enc(service.id()), null);
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
    private static boolean isUnknown(ConsulHttp.Response r) {
        if (r.status() == 404) {
            return true;
        }
        String body = r.body().toLowerCase(Locale.ROOT);
        return r.status() == 500 && (body.contains("does not exist") || body.contains("unknown check"));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
