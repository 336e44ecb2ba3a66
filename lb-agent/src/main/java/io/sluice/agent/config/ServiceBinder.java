package io.sluice.agent.config;

import io.sluice.agent.config.AgentConfig.Registry;
import io.sluice.duration.Durations;
import io.sluice.yaml.YamlMapping;
import io.sluice.yaml.YamlValue;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Reads agent.yaml's {@code services} list (each service and its {@code check}), reporting every problem
 * to the kit's {@code Problems} and going on, so one run names them all. One instance per load; the
 * loading thread only.
 */
final class ServiceBinder {

    static final List<String> SERVICE_KEYS =
            List.of("name", "id", "address", "port", "tags", "weight", "check", "drain-on-shutdown", "direct-vips");
    static final List<String> CHECK_KEYS = List.of("type", "target", "path", "interval", "timeout");

    /** The daemon's ceiling for any configured duration: keeps {@code Duration.toNanos()} safe everywhere. */
    static final Duration MAX_DURATION = Duration.ofHours(8760);
    /** A probe more often than this would be load, not a health check. */
    static final Duration MIN_PROBE = Duration.ofMillis(100);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

    private final Supplier<String> hostname;
    private final Supplier<String> hostAddress;

    ServiceBinder(Supplier<String> hostname, Supplier<String> hostAddress) {
        this.hostname = hostname;
        this.hostAddress = hostAddress;
    }

    /** The services that read cleanly, in file order. */
    List<ServiceConfig> bind(YamlValue section, Registry registry) {
        List<ServiceConfig> services = new ArrayList<>();
        Optional<List<YamlValue>> elements = section.sequence();
        if (elements.isEmpty()) {
            return services;
        }
        if (elements.get().isEmpty()) {
            section.error("at least one service is required");
            return services;
        }
        Map<String, Integer> firstLineById = new HashMap<>();
        for (YamlValue element : elements.get()) {
            service(element, registry, firstLineById).ifPresent(services::add);
        }
        return services;
    }

    private Optional<ServiceConfig> service(YamlValue element, Registry registry, Map<String, Integer> firstLineById) {
        Optional<YamlMapping> found = element.mapping(SERVICE_KEYS);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = found.get();
        Optional<String> name = m.require("name").flatMap(ServiceBinder::name);
        OptionalInt port = m.require("port").map(v -> v.integer(1, 65535)).orElse(OptionalInt.empty());
        Optional<String> address = address(m, element, registry);
        Optional<String> id = id(m, name, port, firstLineById);
        List<String> tags = m.get("tags").map(ServiceBinder::tags).orElse(List.of());
        int weight = m.integer("weight", 0, 1000, ServiceConfig.DEFAULT_WEIGHT);
        CheckConfig check = m.get("check").map(v -> check(v, port.orElse(0))).orElse(defaultCheck(port.orElse(0)));
        Duration drain = m.duration("drain-on-shutdown", Duration.ZERO, MAX_DURATION, "0 to 8760h",
                ServiceConfig.DEFAULT_DRAIN);
        int before = element.problems().size();
        List<Inet4Address> directVips = m.get("direct-vips").map(ServiceBinder::vips).orElse(List.of());
        if (name.isEmpty() || port.isEmpty() || address.isEmpty() || id.isEmpty() || check == null
                || element.problems().size() > before) {
            return Optional.empty();
        }
        return Optional.of(new ServiceConfig(name.get(), id.get(), address.get(), port.getAsInt(), tags, weight,
                check, drain, directVips));
    }

    private static Optional<String> name(YamlValue value) {
        Optional<String> text = value.text().map(String::trim);
        if (text.isPresent() && !NAME.matcher(text.get()).matches()) {
            value.error(YamlValue.quote(text.get()) + " (expected letters, digits, '-', '_', '.', starting with a letter or digit)");
            return Optional.empty();
        }
        return text;
    }

    private Optional<String> address(YamlMapping m, YamlValue service, Registry registry) {
        Optional<YamlValue> given = m.get("address");
        Optional<String> address = given.isPresent() ? given.get().text().map(String::trim)
                : Optional.of(hostAddress.get());
        if (address.isPresent() && registry == Registry.ZOOKEEPER && !isIpLiteral(address.get())) {
            YamlValue at = given.orElse(service);
            at.problems().add(at.line(), service.path() + ".address", YamlValue.quote(address.get())
                    + " (ZooKeeper instances need an IP literal: the daemon does not resolve names)");
            return Optional.empty();
        }
        return address;
    }

    private Optional<String> id(YamlMapping m, Optional<String> name, OptionalInt port, Map<String, Integer> firstLineById) {
        Optional<YamlValue> given = m.get("id");
        if (given.isEmpty()) {
            // The default id cannot clash unless name and port do, which the registry would refuse anyway.
            return name.isPresent() && port.isPresent()
                    ? Optional.of(name.get() + "-" + hostname.get() + "-" + port.getAsInt()) : Optional.empty();
        }
        Optional<String> id = given.get().text().map(String::trim);
        if (id.isEmpty()) {
            return id;
        }
        if (id.get().isEmpty() || id.get().contains("/")) {
            given.get().error(YamlValue.quote(id.get()) + " (expected a non-empty id without '/')");
            return Optional.empty();
        }
        Integer first = firstLineById.putIfAbsent(id.get(), given.get().line());
        if (first != null) {
            given.get().error("duplicate id " + YamlValue.quote(id.get()) + " (first at line " + first
                    + "; ids must be unique)");
            return Optional.empty();
        }
        return id;
    }

    private static List<String> tags(YamlValue value) {
        List<String> tags = new ArrayList<>();
        value.sequence().ifPresent(elements -> elements.forEach(t -> t.text().map(String::trim).ifPresent(tags::add)));
        return tags;
    }

    /** {@code direct-vips}: IPv4 literals (a direct listener's VIP is IPv4), each reported with its line. */
    private static List<Inet4Address> vips(YamlValue value) {
        List<Inet4Address> vips = new ArrayList<>();
        value.sequence().ifPresent(elements -> elements.forEach(v -> v.text().map(String::trim).ifPresent(text -> {
            try {
                if (!IPV4.matcher(text).matches()) {
                    throw new UnknownHostException(text);
                }
                vips.add((Inet4Address) InetAddress.getByName(text));
            } catch (UnknownHostException | ClassCastException e) {
                v.error(YamlValue.quote(text) + " (expected the IPv4 address of a Sluice direct listener's VIP, e.g. 203.0.113.10)");
            }
        })));
        return vips;
    }

    private static CheckConfig defaultCheck(int servicePort) {
        return new CheckConfig(CheckConfig.Type.TCP, "127.0.0.1", servicePort, "/",
                CheckConfig.DEFAULT_INTERVAL, CheckConfig.DEFAULT_TIMEOUT);
    }

    /** The check, or null when it has errors (reported). */
    private static CheckConfig check(YamlValue section, int servicePort) {
        Optional<YamlMapping> found = section.mapping(CHECK_KEYS);
        if (found.isEmpty()) {
            return null;
        }
        YamlMapping m = found.get();
        int before = section.problems().size();
        CheckConfig.Type type = m.get("type")
                .flatMap(v -> v.oneOf(CheckConfig.Type.values(), ServiceBinder::yamlName))
                .orElse(CheckConfig.Type.TCP);
        String host = "127.0.0.1";
        int port = servicePort;
        Optional<YamlValue> targetAt = m.get("target");
        Optional<String> target = targetAt.flatMap(YamlValue::text).map(String::trim);
        if (target.isPresent()) {
            int colon = target.get().lastIndexOf(':');
            String portText = colon <= 0 ? "" : target.get().substring(colon + 1);
            port = portText.matches("[0-9]{1,5}") ? Integer.parseInt(portText) : -1;
            if (port < 1 || port > 65535) {
                targetAt.get().error(YamlValue.quote(target.get()) + " (expected host:port, port 1..65535)");
            } else {
                host = target.get().substring(0, colon).replaceAll("^\\[|]$", "");
            }
        }
        String path = m.get("path").flatMap(YamlValue::text).map(String::trim).orElse("/");
        if (!path.startsWith("/")) {
            m.get("path").ifPresent(v -> v.error(YamlValue.quote(path) + " (expected an absolute path, e.g. /healthz)"));
        }
        String range = "at least 100ms and at most 8760h";
        Duration interval = m.duration("interval", MIN_PROBE, MAX_DURATION, range, CheckConfig.DEFAULT_INTERVAL);
        Duration defaultTimeout = CheckConfig.DEFAULT_TIMEOUT.compareTo(interval) < 0 ? CheckConfig.DEFAULT_TIMEOUT : interval;
        Duration timeout = m.duration("timeout", MIN_PROBE, MAX_DURATION, range, defaultTimeout);
        if (timeout.compareTo(interval) > 0) {
            m.get("timeout").ifPresent(v -> v.error("timeout " + Durations.format(timeout)
                    + " is longer than interval " + Durations.format(interval)
                    + " (expected at most the interval)"));
        }
        return section.problems().size() > before ? null
                : new CheckConfig(type, host, port, path, interval, timeout);
    }

    static String yamlName(CheckConfig.Type type) {
        return type == CheckConfig.Type.TCP ? "tcp" : "http";
    }

    private static boolean isIpLiteral(String s) {
        return IPV4.matcher(s).matches() || (s.contains(":") && IPV6.matcher(s).matches());
    }
}
