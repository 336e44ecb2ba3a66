package io.sluice.config;

import io.sluice.yaml.ConfigException;
import io.sluice.yaml.Problems;
import io.sluice.yaml.YamlFile;
import io.sluice.yaml.YamlSource;
import io.sluice.yaml.YamlValue;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Loads and validates a Sluice configuration.
 *
 * <p>Contract: for any input, either a complete, valid {@link SluiceConfig} comes back or a
 * {@link ConfigException} listing every error found, each with file, line and key. No other exception
 * escapes (arguments aside: null arguments are a programming error). Backend hostnames are resolved
 * during loading, so loading may block on DNS; {@code admin.token-file} is checked (it must exist and
 * hold a token, which is not kept).
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /** Reads {@code file} as UTF-8 YAML. Errors name the file as {@code file.toString()}. */
    public static SluiceConfig load(Path file) throws ConfigException {
        Objects.requireNonNull(file, "file");
        String name = file.toString();
        Problems problems = new Problems(name);
        Optional<String> text = YamlFile.read(file, problems);
        if (text.isEmpty()) {
            throw problems.toException();
        }
        return parse(text.get(), name, file);
    }

    /**
     * Parses YAML text. There is no file, so relative paths in it ({@code admin.token-file},
     * {@code state.file}) resolve against the working directory, and {@code state.file} has no default
     * ({@link StateConfig#file()} is null unless the text sets it).
     *
     * @param fileName used in errors and as {@link SluiceConfig#source()}
     */
    public static SluiceConfig parse(String yaml, String fileName) throws ConfigException {
        return parse(yaml, fileName, null);
    }

    /** @param file the file {@code yaml} was read from, or null: relative paths resolve against its directory */
    private static SluiceConfig parse(String yaml, String fileName, Path file) throws ConfigException {
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(fileName, "fileName");
        Problems problems = new Problems(fileName);
        try {
            Optional<Node> root = YamlSource.compose(yaml, fileName, problems);
            if (!problems.isEmpty()) {
                throw problems.toException();
            }
            if (root.isEmpty()) {
                problems.add(0, "", "the configuration is empty (expected listeners and pools)");
                throw problems.toException();
            }
            SluiceConfig config = new ConfigBinder(fileName, file).bind(new YamlValue(root.get(), "", problems));
            if (!problems.isEmpty()) {
                throw problems.toException();
            }
            return config;
        } catch (RuntimeException | StackOverflowError bug) {
            // Safety net for the contract: an operator running `sluice check` gets a line, not a trace.
            problems.add(0, "", "internal error while reading the configuration: " + bug);
            throw problems.toException();
        }
    }
}
