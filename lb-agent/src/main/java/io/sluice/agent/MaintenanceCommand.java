package io.sluice.agent;

import io.sluice.agent.config.AgentConfig;
import io.sluice.agent.config.ConfigException;
import io.sluice.agent.config.ServiceConfig;
import io.sluice.agent.consul.ConsulRegistrar;
import io.sluice.agent.zookeeper.ZooKeeperRegistrar;
import io.sluice.registry.consul.ConsulClient;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code drain} and {@code ready}: maintenance on or off for the configured services (or one), in the
 * registry directly, beside a running {@code sluice-agent run}. Consul: the agent's service
 * maintenance mode. ZooKeeper: the payload's maintenance flag (the running agent adopts it).
 */
abstract class MaintenanceCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = {"-s", "--service"}, paramLabel = "NAME", description = "Only this service (default: all).")
    String service;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    abstract boolean enable();

    String reason() {
        return null;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        AgentConfig cfg;
        List<ServiceConfig> services;
        ConsulClient consul = null;
        try {
            cfg = config.load();
            services = cfg.select(service);
            if (services.isEmpty()) {
                throw new ConfigException(config.config + ": no service named " + service);
            }
            if (cfg.registry() == AgentConfig.Registry.CONSUL) {
                consul = ConsulRegistrar.client(cfg.consul());
            }
        } catch (ConfigException e) {
            e.lines().forEach(line -> err.println("sluice-agent: " + line));
            err.flush();
            return SluiceAgent.BAD_CONFIG;
        }
        int code = SluiceAgent.OK;
        for (ServiceConfig s : services) {
            try {
                if (consul != null) {
                    new ConsulRegistrar(consul, s).maintenance(enable(), reason());
                } else {
                    ZooKeeperRegistrar.setMaintenanceFlag(cfg.zookeeper(), s, enable(), reason());
                }
                out.println(s.id() + ": " + (enable() ? "maintenance on (draining)" : "maintenance off (ready)"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw e;
            } catch (Exception e) {
                err.println("sluice-agent: " + s.id() + ": " + (e.getMessage() == null ? e : e.getMessage()));
                code = SluiceAgent.REGISTRY_FAILED;
            }
        }
        out.flush();
        err.flush();
        return code;
    }

    @Command(name = "drain", mixinStandardHelpOptions = true,
            description = "Maintenance on: Sluice sends no new connections; existing ones stay.")
    static final class Drain extends MaintenanceCommand {

        @Option(names = "--reason", description = "Shown by the daemon beside the drain (API, sluicectl, status page) and in Consul's maintenance check (default: ${DEFAULT-VALUE}).",
                defaultValue = "sluice-agent drain")
        String reason;

        @Override
        boolean enable() {
            return true;
        }

        @Override
        String reason() {
            return reason;
        }
    }

    @Command(name = "ready", mixinStandardHelpOptions = true,
            description = "Maintenance off: Sluice sends new connections again.")
    static final class Ready extends MaintenanceCommand {
        @Override
        boolean enable() {
            return false;
        }
    }
}
