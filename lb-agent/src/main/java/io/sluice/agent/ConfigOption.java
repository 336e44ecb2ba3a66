package io.sluice.agent;

import io.sluice.agent.config.AgentConfig;
import io.sluice.agent.config.AgentConfigLoader;
import io.sluice.agent.config.ConfigException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config} flag every sub-command shares. */
public final class ConfigOption {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "/etc/sluice/agent.yaml",
            description = "The agent configuration (default: ${DEFAULT-VALUE}).")
    Path config;

    AgentConfig load() throws ConfigException {
        return AgentConfigLoader.load(config);
    }
}
