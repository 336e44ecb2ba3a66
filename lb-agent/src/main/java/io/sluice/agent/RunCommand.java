package io.sluice.agent;

import io.sluice.agent.config.AgentConfig;
import io.sluice.agent.config.ConfigException;
import io.sluice.agent.registrar.Registrar;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine;
import sun.misc.Signal;

/**
 * {@code sluice-agent run}: registers the configured services and keeps them healthy in the registry
 * until SIGTERM or SIGINT, then runs {@link Agent#shutdown} and exits 0. The signals are caught with
 * {@code sun.misc.Signal} handlers rather than a shutdown hook: a hook runs while the JVM is already
 * exiting (status 143 for SIGTERM), a handler lets {@code run} return and exit 0, which systemd reads as
 * a clean stop.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Register the services and keep their health in the registry until SIGTERM/SIGINT.")
final class RunCommand implements Callable<Integer> {

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
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        Agent agent = new Agent(cfg.services(), registrars, d -> Thread.sleep(d.toMillis()));
        agent.start();
        stop.await();
        agent.shutdown();
        return SluiceAgent.OK;
    }
}
