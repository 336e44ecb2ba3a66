package io.sluice.agent;

import io.sluice.agent.config.AgentConfig;
import io.sluice.agent.config.AgentConfigLoader;
import io.sluice.agent.config.ConfigException;
import io.sluice.agent.config.ServiceConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice-agent check [FILE]}: validates the agent's config with the loader {@code run} uses,
 * without contacting the registry, like {@code sluice check}. Exit 0 and a one-line summary, or exit 2
 * and every error as {@code file:line: key: message}. Runs on the main thread.
 */
@Command(name = "check", description = "Validate the agent config without contacting the registry.")
final class CheckCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE",
            description = "The agent configuration (default: --config's).")
    Path positional;

    @Mixin
    ConfigOption config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Path file = positional != null ? positional : config.config;
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        AgentConfig loaded;
        try {
            loaded = AgentConfigLoader.load(file);
        } catch (ConfigException e) {
            e.lines().forEach(line -> err.println("sluice-agent: " + line));
            err.println("sluice-agent: configuration " + file + " rejected");
            err.flush();
            return SluiceAgent.BAD_CONFIG;
        }
        int n = loaded.services().size();
        out.println("Configuration " + file + " is valid: registry " + loaded.registry().name().toLowerCase(Locale.ROOT)
                + ", " + n + (n == 1 ? " service" : " services") + " ("
                + loaded.services().stream().map(ServiceConfig::name).collect(Collectors.joining(", ")) + ")");
        out.flush();
        return SluiceAgent.OK;
    }
}
