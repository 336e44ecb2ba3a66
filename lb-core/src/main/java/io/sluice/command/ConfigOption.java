package io.sluice.command;

import io.sluice.config.ConfigLoader;
import io.sluice.config.SluiceConfig;
import io.sluice.yaml.ConfigError;
import io.sluice.yaml.ConfigException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option shared by the commands that read a config. */
final class ConfigOption {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The YAML config file.")
    Path file;

    /** Loads the config, or prints every error (one per line) and returns null. */
    SluiceConfig loadOrReport(PrintWriter err) {
        return loadOrReport(file, err);
    }

    /** Loads {@code file}, or prints every error (one per line) and returns null. */
    static SluiceConfig loadOrReport(Path file, PrintWriter err) {
        try {
            return ConfigLoader.load(file);
        } catch (ConfigException e) {
            report(e, err);
            return null;
        }
    }

    static void report(ConfigException e, PrintWriter err) {
        for (ConfigError error : e.errors()) {
            err.println(error);
        }
        int n = e.errors().size();
        err.println(n + (n == 1 ? " error" : " errors") + " found; configuration rejected");
        err.flush();
    }
}
