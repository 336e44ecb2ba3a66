package io.sluice.agent.config;

import io.sluice.agent.config.AgentConfig.ConsulConfig;
import io.sluice.agent.config.AgentConfig.Registry;
import io.sluice.agent.config.AgentConfig.ZooKeeperConfig;
import io.sluice.yaml.Problems;
import io.sluice.yaml.YamlFile;
import io.sluice.yaml.YamlMapping;
import io.sluice.yaml.YamlSource;
import io.sluice.yaml.YamlValue;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads {@code agent.yaml} into an {@link AgentConfig} with the daemon's YAML kit ({@code io.sluice.yaml}):
 * every error in the file is reported in one pass, each as {@code file:line: key: what was expected},
 * unknown keys are errors with a "did you mean" hint, so a typo never silently means "default".
 *
 * <p>Contract: for any input, either a valid config or a {@link ConfigException} listing the errors by
 * line; no other exception escapes. Stateless apart from one load; runs on the caller's thread.
 */
public final class AgentConfigLoader {

    static final List<String> ROOT_KEYS = List.of("registry", "consul", "zookeeper", "services");
    static final List<String> CONSUL_KEYS = List.of("address", "token-file");
    static final List<String> ZOOKEEPER_KEYS = List.of("connect", "base-path");

    private AgentConfigLoader() {
    }

    /** Loads and validates a file; errors name it as {@code path.toString()}. */
    public static AgentConfig load(Path path) throws ConfigException {
        String name = path.toString();
        Problems problems = new Problems(name);
        Optional<String> text = YamlFile.read(path, problems);
        if (text.isEmpty()) {
            throw new ConfigException(problems.sorted());
        }
        return parse(name, text.get(), LocalHost::name, LocalHost::address);
    }

    /**
     * Parses YAML text; {@code file} is only used in messages. Host name and address are asked lazily,
     * only for a service that leaves out its id or address.
     */
    public static AgentConfig parse(String file, String yaml, Supplier<String> hostname, Supplier<String> hostAddress)
            throws ConfigException {
        Objects.requireNonNull(yaml, "yaml");
        Problems problems = new Problems(file);
        try {
            Optional<Node> root = YamlSource.compose(yaml, file, problems);
            if (problems.isEmpty() && (root.isEmpty() || new YamlValue(root.get(), "", problems).isNull())) {
                problems.add(0, "", "the configuration is empty (expected at least services:)");
            }
            AgentConfig config = null;
            if (problems.isEmpty()) {
                config = bind(new YamlValue(root.get(), "", problems), new ServiceBinder(hostname, hostAddress));
            }
            if (!problems.isEmpty()) {
                throw new ConfigException(problems.sorted());
            }
            return config;
        } catch (RuntimeException | StackOverflowError bug) {
            // The contract holds even for a bug here: the operator gets a line, not a stack trace.
            problems.add(0, "", "internal error while reading the configuration: " + bug);
            throw new ConfigException(problems.sorted());
        }
    }

    private static AgentConfig bind(YamlValue root, ServiceBinder services) {
        Optional<YamlMapping> found = root.mapping(ROOT_KEYS);
        if (found.isEmpty()) {
            return null;
        }
        YamlMapping m = found.get();
        Registry registry = m.get("registry")
                .flatMap(v -> v.oneOf(Registry.values(), AgentConfigLoader::yamlName))
                .orElse(Registry.CONSUL);
        ConsulConfig consul = m.get("consul").map(AgentConfigLoader::consul)
                .orElse(new ConsulConfig(ConsulConfig.DEFAULT_ADDRESS, Optional.empty()));
        ZooKeeperConfig zookeeper = m.get("zookeeper").map(AgentConfigLoader::zookeeper)
                .orElse(new ZooKeeperConfig(ZooKeeperConfig.DEFAULT_CONNECT, ZooKeeperConfig.DEFAULT_BASE_PATH));
        List<ServiceConfig> list = m.require("services").map(v -> services.bind(v, registry)).orElse(List.of());
        return new AgentConfig(registry, consul, zookeeper, list);
    }

    static String yamlName(Registry registry) {
        return registry == Registry.CONSUL ? "consul" : "zookeeper";
    }

    private static ConsulConfig consul(YamlValue section) {
        Optional<YamlMapping> found = section.mapping(CONSUL_KEYS);
        if (found.isEmpty()) {
            return new ConsulConfig(ConsulConfig.DEFAULT_ADDRESS, Optional.empty());
        }
        String address = found.get().get("address").flatMap(AgentConfigLoader::httpAddress)
                .orElse(ConsulConfig.DEFAULT_ADDRESS);
        Optional<Path> token = found.get().get("token-file").flatMap(YamlValue::text).map(t -> Path.of(t.trim()));
        return new ConsulConfig(address, token);
    }

    /** {@code http://host:port} or {@code https://...}, without trailing slashes. */
    private static Optional<String> httpAddress(YamlValue value) {
        Optional<String> text = value.text().map(String::trim);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = URI.create(text.get());
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null
                || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            value.error(YamlValue.quote(text.get()) + " (expected http://host:port)");
            return Optional.empty();
        }
        return Optional.of(text.get().replaceAll("/+$", ""));
    }

    private static ZooKeeperConfig zookeeper(YamlValue section) {
        Optional<YamlMapping> found = section.mapping(ZOOKEEPER_KEYS);
        if (found.isEmpty()) {
            return new ZooKeeperConfig(ZooKeeperConfig.DEFAULT_CONNECT, ZooKeeperConfig.DEFAULT_BASE_PATH);
        }
        String connect = found.get().get("connect").flatMap(YamlValue::text).map(String::trim)
                .orElse(ZooKeeperConfig.DEFAULT_CONNECT);
        String basePath = found.get().get("base-path").flatMap(v -> v.text().map(String::trim).filter(p -> {
            boolean ok = p.startsWith("/") && (p.length() == 1 || !p.endsWith("/"));
            if (!ok) {
                v.error(YamlValue.quote(p) + " (expected /path, e.g. /sluice)");
            }
            return ok;
        })).orElse(ZooKeeperConfig.DEFAULT_BASE_PATH);
        return new ZooKeeperConfig(connect, basePath);
    }
}
