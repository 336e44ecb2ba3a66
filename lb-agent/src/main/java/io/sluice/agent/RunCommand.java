package io.sluice.agent;

import io.sluice.agent.config.AgentConfig;
import io.sluice.agent.config.ConfigException;
import io.sluice.agent.direct.BackendSetup;
import io.sluice.agent.registrar.Registrar;
import java.io.PrintWriter;
import java.net.Inet4Address;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import sun.misc.Signal;

/**
 * {@code sluice-agent run}: registers the configured services and keeps them healthy in the registry
 * until SIGTERM or SIGINT, then runs {@link Agent#shutdown} and exits 0. The signals are caught with
 * {@code sun.misc.Signal} handlers rather than a shutdown hook: a hook runs while the JVM is already
 * exiting (status 143 for SIGTERM), a handler lets {@code run} return and exit 0, which systemd reads as
 * a clean stop.
 *
 * <p>A service with {@code direct-vips} is in a Sluice direct pool: before anything is registered the
 * host takes those VIPs on {@code lo} with the ARP settings ({@link BackendSetup}), and after the last
 * deregistration it gives them back, so the balancer never sends a flow to a host that would drop it.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Register the services and keep their health in the registry until SIGTERM/SIGINT.")
final class RunCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Mixin
    ConfigOption config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        AgentConfig cfg;
        List<Registrar> registrars;
        try {
            cfg = config.load();
            registrars = Registrars.of(cfg, cfg.services());
        } catch (ConfigException e) {
            e.lines().forEach(line -> err.println("sluice-agent: " + line));
            err.flush();
            return SluiceAgent.BAD_CONFIG;
        }
        // Direct pools: the host holds their VIPs before the balancer may send it a flow, until it left the pool.
        List<Inet4Address> vips = cfg.services().stream().flatMap(s -> s.directVips().stream()).distinct().toList();
        if (!vips.isEmpty()) {
            try {
                BackendSetup.apply(vips).forEach(line -> log.info("direct-vips: {}", line));
            } catch (BackendSetup.Failed e) {
                registrars.forEach(Registrar::close);
                err.println("sluice-agent: direct-vips: " + e.getMessage());
                err.flush();
                return SluiceAgent.REGISTRY_FAILED;
            }
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        Agent agent = new Agent(cfg.services(), registrars, d -> Thread.sleep(d.toMillis()));
        agent.start();
        stop.await();
        agent.shutdown();
        if (!vips.isEmpty()) {
            try {
                BackendSetup.remove(vips).forEach(line -> log.info("direct-vips: {}", line));
            } catch (BackendSetup.Failed e) {
                log.error("direct-vips: could not take the VIPs off lo: {}", e.getMessage());
            }
        }
        return SluiceAgent.OK;
    }
}
