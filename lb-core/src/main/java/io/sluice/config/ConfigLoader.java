package io.sluice.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
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

    /** Larger than any sane config, small enough that a wrong path (a log, a disk image) fails fast. */
    static final long MAX_FILE_BYTES = 1 << 20;

    private ConfigLoader() {
    }

    /** Reads {@code file} as UTF-8 YAML. Errors name the file as {@code file.toString()}. */
    public static SluiceConfig load(Path file) throws ConfigException {
        Objects.requireNonNull(file, "file");
        String name = file.toString();
        return parse(read(file, name), name, file);
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

    private static String read(Path file, String name) throws ConfigException {
        try {
            if (Files.isDirectory(file)) {
                throw single(name, "is a directory, not a config file");
            }
            if (Files.exists(file) && !Files.isRegularFile(file)) {
                throw single(name, "is not a regular file");
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw single(name, "is larger than " + (MAX_FILE_BYTES >> 10) + " KiB; is it really the config?");
            }
            byte[] bytes = Files.readAllBytes(file);
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            // Editors on some systems write a byte-order mark; it is not part of the YAML.
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (NoSuchFileException e) {
            throw single(name, "cannot read: no such file");
        } catch (AccessDeniedException e) {
            throw single(name, "cannot read: permission denied");
        } catch (CharacterCodingException e) {
            throw single(name, "cannot read: not UTF-8 text");
        } catch (IOException | SecurityException e) {
            throw single(name, "cannot read: " + e.getMessage());
        }
    }

    private static ConfigException single(String file, String message) {
        return new ConfigException(List.of(new ConfigError(file, 0, "", message)));
    }
}
