package io.sluice.config;

import io.sluice.yaml.YamlMapping;
import io.sluice.yaml.YamlValue;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the top-level {@code discovery} section (the registries) and each pool's {@code discover}
 * (which registry, which service). The top level is read first, so that a pool naming a registry that
 * is not configured is reported at the pool. A registry whose section is present but broken counts as
 * configured: its own errors are reported, and the pools using it are not blamed as well.
 */
final class DiscoveryBinder {

    static final List<String> DISCOVERY_KEYS = List.of("consul", "zookeeper", "wait-for-first-snapshot");
    static final List<String> CONSUL_KEYS = List.of("address", "token-file", "datacenter");
    static final List<String> ZOOKEEPER_KEYS = List.of("connect", "base-path");
    static final List<String> DISCOVER_KEYS = List.of("consul", "zookeeper");
    static final List<String> DISCOVER_CONSUL_KEYS = List.of("service", "tags", "passing-only");
    static final List<String> DISCOVER_ZOOKEEPER_KEYS = List.of("service");

    static final String DEFAULT_BASE_PATH = "/sluice";
    static final boolean DEFAULT_WAIT_FOR_FIRST_SNAPSHOT = true;
    static final boolean DEFAULT_PASSING_ONLY = true;

    private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern DATACENTER = Pattern.compile("[A-Za-z0-9_-]+");
    private static final String CONSUL_EXAMPLE = "http://127.0.0.1:8500";

    /** For {@code token-file}: the same path and file rules as {@code admin.token-file}. */
    private final AdminBinder files;
    private boolean consulConfigured;
    private boolean zookeeperConfigured;

    DiscoveryBinder(AdminBinder files) {
        this.files = files;
    }

    /** The {@code discovery} section; null when it is absent (or broken: reported). */
    DiscoveryConfig discovery(Optional<YamlValue> section) {
        if (section.isEmpty()) {
            return null;
        }
        Optional<YamlMapping> found = section.get().mapping(DISCOVERY_KEYS);
        if (found.isEmpty()) {
            return null;
        }
        YamlMapping m = found.get();
        // A key with nothing after it counts as absent, as everywhere: `consul:` alone configures nothing.
        Optional<YamlValue> consulAt = m.get("consul");
        Optional<YamlValue> zookeeperAt = m.get("zookeeper");
        consulConfigured = consulAt.isPresent();
        zookeeperConfigured = zookeeperAt.isPresent();
        ConsulRegistryConfig consul = consulAt.flatMap(this::consul).orElse(null);
        ZooKeeperRegistryConfig zookeeper = zookeeperAt.flatMap(DiscoveryBinder::zookeeper).orElse(null);
        boolean wait = m.get("wait-for-first-snapshot").flatMap(YamlValue::bool)
                .orElse(DEFAULT_WAIT_FOR_FIRST_SNAPSHOT);
        return new DiscoveryConfig(consul, zookeeper, wait);
    }

    private Optional<ConsulRegistryConfig> consul(YamlValue section) {
        Optional<YamlMapping> found = section.mapping(CONSUL_KEYS);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = found.get();
        Optional<URI> address = m.require("address").flatMap(DiscoveryBinder::consulAddress);
        Optional<YamlValue> tokenAt = m.get("token-file");
        Optional<Path> token = tokenAt.flatMap(v -> files.tokenFile(v, "Consul ACL token"));
        Optional<YamlValue> datacenterAt = m.get("datacenter");
        Optional<String> datacenter = datacenterAt.flatMap(DiscoveryBinder::datacenter);
        if (address.isEmpty() || (tokenAt.isPresent() && token.isEmpty())
                || (datacenterAt.isPresent() && datacenter.isEmpty())) {
            return Optional.empty();
        }
        return Optional.of(new ConsulRegistryConfig(address.get(), token.orElse(null), datacenter.orElse(null)));
    }

    /**
     * {@code http://host:port} or {@code https://host:port}, nothing else: the client appends the API's
     * own paths, and credentials belong in {@code token-file}, not in a URI that ends up in logs.
     * Comes back normalized (scheme in lower case, no trailing '/').
     */
    private static Optional<URI> consulAddress(YamlValue value) {
        Optional<String> text = value.text().map(String::trim);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String s = text.get();
        String expected = "expected an http or https URI with host and port, like " + CONSUL_EXAMPLE;
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            value.error(YamlValue.quote(s) + " (" + expected + ")");
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String problem = null;
        if (!scheme.equals("http") && !scheme.equals("https")) {
            problem = expected;
        } else if (uri.getRawUserInfo() != null) {
            problem = "no credentials in the address: put the ACL token in token-file";
        } else if (uri.getHost() == null) {
            problem = "expected a host: " + scheme + "://host:port";
        } else if (uri.getPort() == -1) {
            problem = "expected a port, like " + CONSUL_EXAMPLE;
        } else if (uri.getPort() < 1 || uri.getPort() > 65535) {
            problem = "port " + uri.getPort() + " out of range 1..65535";
        } else if (!(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            problem = "expected only scheme, host and port, like " + CONSUL_EXAMPLE;
        }
        if (problem != null) {
            value.error(YamlValue.quote(s) + " (" + problem + ")");
            return Optional.empty();
        }
        try {
            return Optional.of(new URI(scheme, null, uri.getHost(), uri.getPort(), null, null, null));
        } catch (URISyntaxException e) {
            value.error(YamlValue.quote(s) + " (" + expected + ")");
            return Optional.empty();
        }
    }

    private static Optional<String> datacenter(YamlValue value) {
        Optional<String> text = value.text().map(String::trim);
        if (text.isPresent() && !DATACENTER.matcher(text.get()).matches()) {
            value.error(YamlValue.quote(text.get()) + " (expected letters, digits, '_' or '-', like dc1)");
            return Optional.empty();
        }
        return text;
    }

    private static Optional<ZooKeeperRegistryConfig> zookeeper(YamlValue section) {
        Optional<YamlMapping> found = section.mapping(ZOOKEEPER_KEYS);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = found.get();
        Optional<String> connect = m.require("connect").flatMap(DiscoveryBinder::connect);
        Optional<YamlValue> basePathAt = m.get("base-path");
        Optional<String> basePath = basePathAt.isPresent()
                ? basePathAt.flatMap(DiscoveryBinder::basePath)
                : Optional.of(DEFAULT_BASE_PATH);
        if (connect.isEmpty() || basePath.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ZooKeeperRegistryConfig(connect.get(), basePath.get()));
    }

    /**
     * ZooKeeper's connect string: {@code host:port[,host:port...][/chroot]}. Each server is checked
     * for form only (the ZooKeeper client resolves it); the chroot follows the znode path rules.
     */
    private static Optional<String> connect(YamlValue value) {
        Optional<String> text = value.text().map(String::trim);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String s = text.get();
        String expected = "expected host:port[,host:port...][/chroot], like 127.0.0.1:2181";
        if (s.isEmpty()) {
            value.error(expected);
            return Optional.empty();
        }
        int slash = s.indexOf('/');
        String servers = slash < 0 ? s : s.substring(0, slash);
        boolean ok = true;
        for (String server : servers.split(",", -1)) {
            if (server.isEmpty()) {
                if (ok) {
                    value.error(YamlValue.quote(s) + " (empty server in the list; " + expected + ")");
                }
                ok = false;
                continue;
            }
            try {
                Addresses.server(server);
            } catch (IllegalArgumentException e) {
                value.error(e.getMessage());
                ok = false;
            }
        }
        if (slash >= 0) {
            String chroot = s.substring(slash);
            String problem = pathProblem(chroot);
            if (problem != null) {
                value.error("chroot " + YamlValue.quote(chroot) + " " + problem
                        + " (leave it out for none, or write one like /sluice)");
                ok = false;
            }
        }
        return ok ? Optional.of(s) : Optional.empty();
    }

    private static Optional<String> basePath(YamlValue value) {
        Optional<String> text = value.text().map(String::trim);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String problem = pathProblem(text.get());
        if (problem != null) {
            value.error(YamlValue.quote(text.get()) + " " + problem + " (expected a znode path like "
                    + DEFAULT_BASE_PATH + ")");
            return Optional.empty();
        }
        return text;
    }

    /** What makes {@code path} an unusable znode path, or null: ZooKeeper itself rejects all of these. */
    static String pathProblem(String path) {
        if (!path.startsWith("/")) {
            return "must start with '/'";
        }
        if (path.endsWith("/")) {
            return "must not end with '/'";
        }
        if (path.contains("//")) {
            return "must not have empty segments ('//')";
        }
        for (String segment : path.substring(1).split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return "must not have '.' or '..' segments";
            }
        }
        if (path.codePoints().anyMatch(cp -> Character.isISOControl(cp) || Character.isWhitespace(cp))) {
            return "must not contain spaces or control characters";
        }
        return null;
    }

    /**
     * A pool's {@code discover}: exactly one registry, which must be configured under {@code discovery}.
     *
     * @param entry the {@code discover} key and its (non-null) value; errors about the whole section
     *              are reported at the key's line
     * @return empty when broken (reported)
     */
    Optional<PoolDiscoverConfig> discover(YamlMapping.Entry entry) {
        YamlValue at = entry.keyValue();
        Optional<YamlMapping> found = entry.value().mapping(DISCOVER_KEYS);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = found.get();
        Optional<YamlValue> consulAt = m.get("consul");
        Optional<YamlValue> zookeeperAt = m.get("zookeeper");
        if (consulAt.isEmpty() && zookeeperAt.isEmpty()) {
            at.error("expected consul or zookeeper: the registry to discover backends from");
            return Optional.empty();
        }
        if (consulAt.isPresent() && zookeeperAt.isPresent()) {
            at.error("discovers from both consul and zookeeper (expected exactly one)");
            // Read both anyway, so their own errors come out in the same run.
            consulAt.ifPresent(DiscoveryBinder::consulService);
            zookeeperAt.ifPresent(DiscoveryBinder::zookeeperService);
            return Optional.empty();
        }
        if (consulAt.isPresent()) {
            if (!consulConfigured) {
                at.error("pool discovers from consul but discovery.consul is not configured");
            }
            return consulService(consulAt.get()).filter(d -> consulConfigured);
        }
        if (!zookeeperConfigured) {
            at.error("pool discovers from zookeeper but discovery.zookeeper is not configured");
        }
        return zookeeperService(zookeeperAt.get()).filter(d -> zookeeperConfigured);
    }

    private static Optional<PoolDiscoverConfig> consulService(YamlValue section) {
        Optional<YamlMapping> found = section.mapping(DISCOVER_CONSUL_KEYS);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = found.get();
        Optional<String> service = m.require("service").flatMap(DiscoveryBinder::service);
        Optional<YamlValue> tagsAt = m.get("tags");
        Optional<List<String>> tags = tagsAt.isPresent() ? tagsAt.flatMap(DiscoveryBinder::tags) : Optional.of(List.of());
        boolean passingOnly = m.get("passing-only").flatMap(YamlValue::bool).orElse(DEFAULT_PASSING_ONLY);
        if (service.isEmpty() || tags.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PoolDiscoverConfig(service.get(), tags.get(), passingOnly, null));
    }

    private static Optional<PoolDiscoverConfig> zookeeperService(YamlValue section) {
        Optional<YamlMapping> found = section.mapping(DISCOVER_ZOOKEEPER_KEYS);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        return found.get().require("service").flatMap(DiscoveryBinder::service)
                .map(service -> new PoolDiscoverConfig(null, List.of(), DEFAULT_PASSING_ONLY, service));
    }

    private static Optional<String> service(YamlValue value) {
        Optional<String> text = value.text().map(String::trim);
        if (text.isPresent() && !SERVICE.matcher(text.get()).matches()) {
            value.error("invalid service name " + YamlValue.quote(text.get())
                    + " (expected 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit)");
            return Optional.empty();
        }
        return text;
    }

    private static Optional<List<String>> tags(YamlValue value) {
        Optional<List<YamlValue>> elements = value.sequence();
        if (elements.isEmpty()) {
            return Optional.empty();
        }
        List<String> tags = new ArrayList<>();
        boolean ok = true;
        for (YamlValue element : elements.get()) {
            Optional<String> tag = element.isNull() ? Optional.of("") : element.text();
            if (tag.isEmpty()) {
                ok = false;
            } else if (tag.get().isBlank()) {
                element.error("a tag must not be empty");
                ok = false;
            } else {
                tags.add(tag.get());
            }
        }
        return ok ? Optional.of(tags) : Optional.empty();
    }
}
