package io.sluice.agent.config;

import io.sluice.agent.config.AgentConfig.ConsulConfig;
import io.sluice.agent.config.AgentConfig.Registry;
import io.sluice.agent.config.AgentConfig.ZooKeeperConfig;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads {@code agent.yaml} into an {@link AgentConfig}. The YAML is composed into a node tree (not
 * bound to classes) so every error can say {@code file:line: key: what was expected}; unknown keys
 * are errors, so a typo never silently means "default".
 */
public final class AgentConfigLoader {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

    private final String file;
    private final Supplier<String> hostname;
    private final Supplier<String> hostAddress;

    private AgentConfigLoader(String file, Supplier<String> hostname, Supplier<String> hostAddress) {
        this.file = file;
        this.hostname = hostname;
        this.hostAddress = hostAddress;
    }

    /** Loads and validates a file. */
    public static AgentConfig load(Path path) throws ConfigException {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(path + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(path + ": cannot read: " + e.getMessage());
        }
        return parse(path.toString(), text, AgentConfigLoader::localHostname, AgentConfigLoader::localAddress);
    }

    /** Parses YAML text; {@code file} is only used in messages. Host name and address are asked lazily. */
    public static AgentConfig parse(String file, String yaml, Supplier<String> hostname, Supplier<String> hostAddress)
            throws ConfigException {
        return new AgentConfigLoader(file, hostname, hostAddress).parse(new StringReader(yaml));
    }

    private AgentConfig parse(Reader reader) throws ConfigException {
        Node root;
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(file).setAllowDuplicateKeys(false).build();
            root = new Compose(settings).composeReader(reader).orElse(null);
        } catch (MarkedYamlEngineException e) {
            String where = e.getProblemMark().map(m -> file + ":" + (m.getLine() + 1)).orElse(file);
            throw new ConfigException(where + ": not valid YAML: " + e.getProblem());
        } catch (YamlEngineException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getMessage());
        }
        if (root == null) {
            throw new ConfigException(file + ": empty; expected at least `services:`");
        }
        Map<String, Node> top = mapping(root, "", Set.of("registry", "consul", "zookeeper", "services"));
        Registry registry = Registry.CONSUL;
        if (top.containsKey("registry")) {
            String r = scalar(top.get("registry"), "registry");
            registry = switch (r.toLowerCase(Locale.ROOT)) {
                case "consul" -> Registry.CONSUL;
                case "zookeeper" -> Registry.ZOOKEEPER;
                default -> throw error(top.get("registry"), "registry", r + " (expected consul or zookeeper)");
            };
        }
        ConsulConfig consul = consul(top.get("consul"));
        ZooKeeperConfig zookeeper = zookeeper(top.get("zookeeper"));
        Node servicesNode = top.get("services");
        if (servicesNode == null) {
            throw new ConfigException(file + ": services: missing (expected a list of services)");
        }
        if (!(servicesNode instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
            throw error(servicesNode, "services", "expected a non-empty list of services");
        }
        List<ServiceConfig> services = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node n = seq.getValue().get(i);
            ServiceConfig s = service(n, "services[" + i + "]", registry);
            if (!ids.add(s.id())) {
                throw error(n, "services[" + i + "].id", s.id() + " is used twice (ids must be unique)");
            }
            services.add(s);
        }
        return new AgentConfig(registry, consul, zookeeper, services);
    }

    private ConsulConfig consul(Node node) throws ConfigException {
        if (node == null) {
            return new ConsulConfig(ConsulConfig.DEFAULT_ADDRESS, Optional.empty());
        }
        Map<String, Node> m = mapping(node, "consul", Set.of("address", "token-file"));
        String address = ConsulConfig.DEFAULT_ADDRESS;
        if (m.containsKey("address")) {
            address = scalar(m.get("address"), "consul.address");
            URI uri;
            try {
                uri = URI.create(address);
            } catch (IllegalArgumentException e) {
                uri = null;
            }
            if (uri == null || uri.getHost() == null
                    || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw error(m.get("address"), "consul.address", address + " (expected http://host:port)");
            }
            address = address.replaceAll("/+$", "");
        }
        Optional<Path> token = m.containsKey("token-file")
                ? Optional.of(Path.of(scalar(m.get("token-file"), "consul.token-file")))
                : Optional.empty();
        return new ConsulConfig(address, token);
    }

    private ZooKeeperConfig zookeeper(Node node) throws ConfigException {
        if (node == null) {
            return new ZooKeeperConfig(ZooKeeperConfig.DEFAULT_CONNECT, ZooKeeperConfig.DEFAULT_BASE_PATH);
        }
        Map<String, Node> m = mapping(node, "zookeeper", Set.of("connect", "base-path"));
        String connect = m.containsKey("connect") ? scalar(m.get("connect"), "zookeeper.connect")
                : ZooKeeperConfig.DEFAULT_CONNECT;
        String basePath = m.containsKey("base-path") ? scalar(m.get("base-path"), "zookeeper.base-path")
                : ZooKeeperConfig.DEFAULT_BASE_PATH;
        if (!basePath.startsWith("/") || (basePath.length() > 1 && basePath.endsWith("/"))) {
            throw error(m.get("base-path"), "zookeeper.base-path", basePath + " (expected /path, e.g. /sluice)");
        }
        return new ZooKeeperConfig(connect, basePath);
    }

    private ServiceConfig service(Node node, String key, Registry registry) throws ConfigException {
        Map<String, Node> m = mapping(node, key,
                Set.of("name", "id", "address", "port", "tags", "weight", "check", "drain-on-shutdown"));
        if (!m.containsKey("name")) {
            throw error(node, key + ".name", "missing");
        }
        String name = scalar(m.get("name"), key + ".name");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw error(m.get("name"), key + ".name", name + " (expected letters, digits, '-', '_', '.')");
        }
        if (!m.containsKey("port")) {
            throw error(node, key + ".port", "missing");
        }
        int port = integer(m.get("port"), key + ".port", 1, 65535);
        String address = m.containsKey("address") ? scalar(m.get("address"), key + ".address") : hostAddress.get();
        if (registry == Registry.ZOOKEEPER && !isIpLiteral(address)) {
            throw error(m.get("address") == null ? node : m.get("address"), key + ".address",
                    address + " (ZooKeeper instances need an IP literal: the daemon does not resolve names)");
        }
        String id = m.containsKey("id") ? scalar(m.get("id"), key + ".id") : name + "-" + hostname.get() + "-" + port;
        if (id.isEmpty() || id.contains("/")) {
            throw error(m.get("id"), key + ".id", id + " (expected a non-empty id without '/')");
        }
        List<String> tags = new ArrayList<>();
        if (m.containsKey("tags")) {
            if (!(m.get("tags") instanceof SequenceNode ts)) {
                throw error(m.get("tags"), key + ".tags", "expected a list, e.g. [edge]");
            }
            for (Node t : ts.getValue()) {
                tags.add(scalar(t, key + ".tags"));
            }
        }
        int weight = m.containsKey("weight") ? integer(m.get("weight"), key + ".weight", 0, 1000)
                : ServiceConfig.DEFAULT_WEIGHT;
        CheckConfig check = check(m.get("check"), key + ".check", port);
        Duration drain = m.containsKey("drain-on-shutdown")
                ? duration(m.get("drain-on-shutdown"), key + ".drain-on-shutdown", true)
                : ServiceConfig.DEFAULT_DRAIN;
        return new ServiceConfig(name, id, address, port, tags, weight, check, drain);
    }

    private CheckConfig check(Node node, String key, int servicePort) throws ConfigException {
        if (node == null) {
            return new CheckConfig(CheckConfig.Type.TCP, "127.0.0.1", servicePort, "/",
                    CheckConfig.DEFAULT_INTERVAL, CheckConfig.DEFAULT_TIMEOUT);
        }
        Map<String, Node> m = mapping(node, key, Set.of("type", "target", "path", "interval", "timeout"));
        CheckConfig.Type type = CheckConfig.Type.TCP;
        if (m.containsKey("type")) {
            String t = scalar(m.get("type"), key + ".type");
            type = switch (t.toLowerCase(Locale.ROOT)) {
                case "tcp" -> CheckConfig.Type.TCP;
                case "http" -> CheckConfig.Type.HTTP;
                default -> throw error(m.get("type"), key + ".type", t + " (expected tcp or http)");
            };
        }
        String host = "127.0.0.1";
        int port = servicePort;
        if (m.containsKey("target")) {
            String target = scalar(m.get("target"), key + ".target");
            int colon = target.lastIndexOf(':');
            if (colon <= 0) {
                throw error(m.get("target"), key + ".target", target + " (expected host:port)");
            }
            host = target.substring(0, colon).replaceAll("^\\[|]$", "");
            try {
                port = Integer.parseInt(target.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw error(m.get("target"), key + ".target", target + " (expected host:port, port 1..65535)");
            }
        }
        String path = m.containsKey("path") ? scalar(m.get("path"), key + ".path") : "/";
        if (!path.startsWith("/")) {
            throw error(m.get("path"), key + ".path", path + " (expected an absolute path, e.g. /healthz)");
        }
        Duration interval = m.containsKey("interval") ? duration(m.get("interval"), key + ".interval", false)
                : CheckConfig.DEFAULT_INTERVAL;
        Duration timeout = m.containsKey("timeout") ? duration(m.get("timeout"), key + ".timeout", false)
                : CheckConfig.DEFAULT_TIMEOUT.compareTo(interval) < 0 ? CheckConfig.DEFAULT_TIMEOUT : interval;
        if (timeout.compareTo(interval) > 0) {
            throw error(m.get("timeout"), key + ".timeout",
                    timeout.toMillis() + "ms (expected at most the interval, " + interval.toMillis() + "ms)");
        }
        return new CheckConfig(type, host, port, path, interval, timeout);
    }

    // ---------------------------------------------------------------------------------- helpers

    private Map<String, Node> mapping(Node node, String key, Set<String> allowed) throws ConfigException {
        if (!(node instanceof MappingNode mn)) {
            throw error(node, key.isEmpty() ? "(top level)" : key, "expected a mapping of keys");
        }
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple t : mn.getValue()) {
            String k = scalar(t.getKeyNode(), key.isEmpty() ? "(key)" : key + ".(key)");
            String full = key.isEmpty() ? k : key + "." + k;
            if (!allowed.contains(k)) {
                List<String> sorted = new ArrayList<>(allowed);
                Collections.sort(sorted);
                throw error(t.getKeyNode(), full, "unknown key (expected one of " + String.join(", ", sorted) + ")");
            }
            out.put(k, t.getValueNode());
        }
        return out;
    }

    private String scalar(Node node, String key) throws ConfigException {
        if (!(node instanceof ScalarNode s)) {
            throw error(node, key, "expected a single value");
        }
        return s.getValue().trim();
    }

    private int integer(Node node, String key, int min, int max) throws ConfigException {
        String v = scalar(node, key);
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw error(node, key, v + " (expected a whole number " + min + ".." + max + ")");
        }
        if (n < min || n > max) {
            throw error(node, key, v + " (expected " + min + ".." + max + ")");
        }
        return n;
    }

    private Duration duration(Node node, String key, boolean zeroOk) throws ConfigException {
        String v = scalar(node, key);
        Matcher m = DURATION.matcher(v);
        if (!m.matches()) {
            throw error(node, key, v + " (expected a duration such as 500ms, 5s, 2m)");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
        if (!zeroOk && d.toMillis() < 100) {
            throw error(node, key, v + " (expected at least 100ms)");
        }
        return d;
    }

    private ConfigException error(Node node, String key, String message) {
        Optional<Mark> mark = node == null ? Optional.empty() : node.getStartMark();
        String where = mark.map(m -> file + ":" + (m.getLine() + 1)).orElse(file);
        return new ConfigException(where + ": " + key + ": " + message);
    }

    private static boolean isIpLiteral(String s) {
        return s.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (s.contains(":") && s.matches("[0-9A-Fa-f:.]+"));
    }

    static String localHostname() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** The first non-loopback IPv4 address of an interface that is up; else the local host's address. */
    static String localAddress() {
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!ni.isUp() || ni.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return a.getHostAddress();
                    }
                }
            }
            return InetAddress.getLocalHost().getHostAddress();
        } catch (SocketException | UnknownHostException e) {
            return "127.0.0.1";
        }
    }
}
