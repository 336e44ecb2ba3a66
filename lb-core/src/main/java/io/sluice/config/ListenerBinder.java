package io.sluice.config;

import io.sluice.yaml.YamlMapping;
import io.sluice.yaml.YamlValue;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads the {@code listeners} section: plain {@code tcp} listeners, {@code tls} listeners with their
 * SNI routes, and who may send a PROXY protocol header. The checks against pools and across listeners
 * run once pools are known ({@link #check}).
 */
final class ListenerBinder {

    /** Keys that only a {@code mode: tls} listener may have. */
    static final List<String> TLS_KEYS = List.of("routes", "default-pool", "no-sni", "not-tls",
            "client-hello-timeout", "max-client-hello", "server-first-timeout");
    static final List<String> LISTENER_KEYS = Stream.of(
            List.of("name", "bind", "mode", "pool"), TLS_KEYS, List.of("accept-proxy-protocol"))
            .flatMap(List::stream).toList();
    static final List<String> ROUTE_KEYS = List.of("sni", "alpn", "pool");

    /** The {@code not-tls} value that closes non-TLS connections instead of naming a pool. */
    static final String REJECT = "reject";

    private static final Pattern SIZE = Pattern.compile("([0-9]{1,9})(k?)");
    private static final String SIZE_RANGE = "512..64k";

    /** A pool name written somewhere in a listener, checked once the pools are known. */
    private record PoolRef(String pool, YamlValue at) {
    }

    /**
     * A listener as read. Name and bind are kept even when another part is broken, so the cross-checks
     * can still report, say, a duplicate name on a listener whose routes are also wrong.
     */
    private record Entry(Optional<String> name, YamlValue nameAt, Optional<InetSocketAddress> bind,
                         YamlValue bindAt, List<PoolRef> poolRefs, Optional<ListenerConfig> config) {
    }

    private final List<Entry> entries = new ArrayList<>();

    /** Reads the section; errors go to the section's problems. */
    void read(YamlValue section) {
        Optional<List<YamlValue>> elements = section.sequence();
        if (elements.isPresent() && elements.get().isEmpty()) {
            section.error("at least one listener is required");
        }
        for (YamlValue element : elements.orElse(List.of())) {
            listener(element).ifPresent(entries::add);
        }
    }

    /** Unique names and binds, and every pool named by a listener declared (when any pools are). */
    void check(List<String> pools) {
        checkUnique();
        if (pools.isEmpty()) {
            return; // the missing or empty pools section is reported already
        }
        for (Entry e : entries) {
            for (PoolRef ref : e.poolRefs()) {
                if (!pools.contains(ref.pool())) {
                    ref.at().error("unknown pool " + YamlValue.quote(ref.pool())
                            + " (pools: " + String.join(", ", pools) + ")");
                }
            }
        }
    }

    /** The listener already bound to {@code bind}, as {@code listener 'chat' (line 3)}; for the admin bind. */
    Optional<String> bindOwner(InetSocketAddress bind) {
        for (Entry e : entries) {
            if (e.bind().isPresent() && e.bind().get().equals(bind)) {
                String owner = e.name().map(n -> "listener '" + n + "'").orElse("a listener");
                return Optional.of(owner + " (line " + e.bindAt().line() + ")");
            }
        }
        return Optional.empty();
    }

    /** The listeners that read cleanly, in file order. */
    List<ListenerConfig> configs() {
        return entries.stream().flatMap(e -> e.config().stream()).toList();
    }

    private Optional<Entry> listener(YamlValue element) {
        Optional<YamlMapping> found = element.mapping(LISTENER_KEYS);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = found.get();
        Optional<YamlValue> nameAt = m.require("name");
        Optional<String> name = nameAt.flatMap(Names::read);
        Optional<YamlValue> bindAt = m.require("bind");
        Optional<InetSocketAddress> bind = bindAt.flatMap(ListenerBinder::bindAddress);
        Optional<ListenerMode> mode = m.get("mode").isPresent()
                ? m.get("mode").get().oneOf(ListenerMode.values(), ListenerMode::yamlName)
                : Optional.of(ListenerMode.TCP);
        List<PoolRef> refs = new ArrayList<>();
        Optional<String> pool = Optional.empty();
        Optional<TlsListenerConfig> tls = Optional.empty();
        if (mode.isPresent() && mode.get() == ListenerMode.TCP) {
            for (String key : TLS_KEYS) {
                m.entry(key).ifPresent(e -> e.keyValue().error(key + " is only for mode: tls"));
            }
            pool = m.require("pool").flatMap(v -> poolName(v, refs));
        } else if (mode.isPresent()) {
            m.entry("pool").ifPresent(e -> e.keyValue().error(
                    "tls listeners route with routes and default-pool, not pool"));
            tls = tls(m, refs, true);
        } else {
            // The mode is wrong (reported): check what is written, require nothing mode-specific.
            m.get("pool").ifPresent(v -> poolName(v, refs));
            tls(m, refs, false);
        }
        List<Cidr> proxyFrom = m.get("accept-proxy-protocol").map(ListenerBinder::cidrs).orElse(List.of());

        Optional<ListenerConfig> config = Optional.empty();
        if (name.isPresent() && bind.isPresent() && mode.isPresent()
                && (mode.get() == ListenerMode.TCP ? pool.isPresent() : tls.isPresent())) {
            config = Optional.of(new ListenerConfig(name.get(), bind.get(), mode.get(),
                    pool.orElse(null), tls.orElse(null), proxyFrom, element.line()));
        }
        return Optional.of(new Entry(name, nameAt.orElse(element), bind, bindAt.orElse(element), refs, config));
    }

    /**
     * The tls settings of a listener. With {@code required}, a listener that names neither routes nor a
     * default pool is an error; the settings come back only when they make a valid record.
     */
    private Optional<TlsListenerConfig> tls(YamlMapping m, List<PoolRef> refs, boolean required) {
        Optional<YamlValue> routesAt = m.get("routes");
        List<RouteConfig> routes = routesAt.map(v -> routes(v, refs)).orElse(List.of());
        // An empty list counts as no routes; a broken one is reported already and counts as written.
        boolean routesWritten = routesAt.isPresent()
                && !(routesAt.get().node() instanceof SequenceNode seq && seq.getValue().isEmpty());
        Optional<YamlValue> defaultAt = m.get("default-pool");
        String defaultPool = defaultAt.flatMap(v -> poolName(v, refs)).orElse(null);
        NoSniAction noSni = m.get("no-sni")
                .flatMap(v -> v.oneOf(NoSniAction.values(), NoSniAction::yamlName))
                .orElse(NoSniAction.DEFAULT);
        Optional<YamlValue> notTlsAt = m.get("not-tls");
        String notTls = null;
        if (notTlsAt.isPresent()) {
            Optional<String> text = notTlsAt.get().text().map(String::trim);
            if (text.isPresent() && !text.get().equals(REJECT)) {
                notTls = poolName(notTlsAt.get(), refs).orElse(null);
            }
        }
        Duration helloTimeout = m.duration("client-hello-timeout", Duration.ofMillis(1),
                TlsListenerConfig.MAX_CLIENT_HELLO_TIMEOUT, "more than 0 and at most 5m",
                TlsListenerConfig.DEFAULT_CLIENT_HELLO_TIMEOUT);
        int maxHello = m.get("max-client-hello").map(ListenerBinder::maxClientHello)
                .orElse(TlsListenerConfig.DEFAULT_MAX_CLIENT_HELLO);
        Optional<YamlValue> serverFirstAt = m.get("server-first-timeout");
        Duration serverFirst = serverFirstAt
                .flatMap(v -> v.duration(Duration.ZERO, TlsListenerConfig.MAX_SERVER_FIRST_TIMEOUT, "0 to 5m"))
                .orElse(Duration.ZERO);
        boolean notTlsRejects = notTlsAt.isEmpty()
                || (notTlsAt.get().node() instanceof ScalarNode s && s.getValue().trim().equals(REJECT));
        if (!serverFirst.isZero() && notTlsRejects) {
            serverFirstAt.get().error("server-first-timeout needs not-tls: <pool>");
        }
        if (required && !routesWritten && defaultAt.isEmpty()) {
            m.self().problems().add(m.self().line(), m.self().child("routes", m.self().node()).path(),
                    "mode: tls needs routes, default-pool or both");
        }
        if ((routes.isEmpty() && defaultPool == null) || (!serverFirst.isZero() && notTls == null)) {
            return Optional.empty();
        }
        return Optional.of(new TlsListenerConfig(routes, defaultPool, noSni, notTls, helloTimeout, maxHello,
                serverFirst));
    }

    private static List<RouteConfig> routes(YamlValue section, List<PoolRef> refs) {
        List<RouteConfig> routes = new ArrayList<>();
        Map<RouteKey, Integer> firstLine = new HashMap<>();
        for (YamlValue element : section.sequence().orElse(List.of())) {
            Optional<RouteConfig> route = route(element, refs);
            if (route.isEmpty()) {
                continue;
            }
            RouteConfig r = route.get();
            Integer first = firstLine.putIfAbsent(new RouteKey(r.sni(), Set.copyOf(r.alpn())), r.line());
            if (first != null) {
                element.error("duplicate route (also at line " + first + ")");
                continue;
            }
            routes.add(r);
        }
        return routes;
    }

    /** What makes two routes the same: one could never be chosen. */
    private record RouteKey(String sni, Set<String> alpn) {
    }

    private static Optional<RouteConfig> route(YamlValue element, List<PoolRef> refs) {
        Optional<YamlMapping> found = element.mapping(ROUTE_KEYS);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = found.get();
        Optional<String> sni = m.require("sni").flatMap(v -> v.text().flatMap(text -> {
            try {
                return Optional.of(ServerNames.route(text));
            } catch (IllegalArgumentException e) {
                v.error(e.getMessage());
                return Optional.empty();
            }
        }));
        Optional<List<String>> alpn = m.get("alpn").isPresent()
                ? alpn(m.get("alpn").get())
                : Optional.of(List.of());
        Optional<String> pool = m.require("pool").flatMap(v -> poolName(v, refs));
        if (sni.isEmpty() || alpn.isEmpty() || pool.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new RouteConfig(sni.get(), alpn.get(), pool.get(), element.line()));
    }

    /** A non-empty list of ALPN protocol names: 1 to 255 printable ASCII characters each, no repeats. */
    private static Optional<List<String>> alpn(YamlValue value) {
        Optional<List<YamlValue>> elements = value.sequence();
        if (elements.isEmpty()) {
            return Optional.empty();
        }
        if (elements.get().isEmpty()) {
            value.error("at least one protocol is required (leave alpn out to match any)");
            return Optional.empty();
        }
        List<String> protocols = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        boolean ok = true;
        for (YamlValue element : elements.get()) {
            Optional<String> text = element.text().map(String::trim);
            if (text.isEmpty()) {
                ok = false;
                continue;
            }
            String p = text.get();
            if (p.isEmpty() || p.length() > 255 || !p.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)) {
                element.error(YamlValue.quote(p)
                        + " (expected an ALPN protocol name of 1 to 255 printable ASCII characters, like h2 or http/1.1)");
                ok = false;
            } else if (!seen.add(p)) {
                element.error("duplicate protocol " + YamlValue.quote(p));
                ok = false;
            } else {
                protocols.add(p);
            }
        }
        return ok ? Optional.of(protocols) : Optional.empty();
    }

    /** A pool name as written; remembered so {@link #check} can look it up. */
    private static Optional<String> poolName(YamlValue value, List<PoolRef> refs) {
        Optional<String> name = value.text().map(String::trim);
        name.ifPresent(n -> refs.add(new PoolRef(n, value)));
        return name;
    }

    /** Bytes: a plain integer, or an integer and {@code k} (times 1024). */
    private static int maxClientHello(YamlValue value) {
        Optional<String> text = value.text().map(String::trim);
        if (text.isEmpty()) {
            return TlsListenerConfig.DEFAULT_MAX_CLIENT_HELLO;
        }
        Matcher matcher = SIZE.matcher(text.get());
        if (!matcher.matches()) {
            value.error(YamlValue.quote(text.get()) + " (expected a size in bytes like 16384 or 16k, "
                    + SIZE_RANGE + ")");
            return TlsListenerConfig.DEFAULT_MAX_CLIENT_HELLO;
        }
        long bytes = Long.parseLong(matcher.group(1)) * (matcher.group(2).isEmpty() ? 1 : 1024);
        if (bytes < TlsListenerConfig.MIN_MAX_CLIENT_HELLO || bytes > TlsListenerConfig.MAX_MAX_CLIENT_HELLO) {
            value.error(text.get() + " (expected " + SIZE_RANGE + ")");
            return TlsListenerConfig.DEFAULT_MAX_CLIENT_HELLO;
        }
        return (int) bytes;
    }

    private static List<Cidr> cidrs(YamlValue value) {
        List<Cidr> cidrs = new ArrayList<>();
        for (YamlValue element : value.sequence().orElse(List.of())) {
            element.text().map(String::trim).ifPresent(text -> {
                try {
                    cidrs.add(Cidr.parse(text));
                } catch (IllegalArgumentException e) {
                    element.error(e.getMessage());
                }
            });
        }
        return cidrs;
    }

    /** A listener-style bind address; also used for {@code admin.bind}. */
    static Optional<InetSocketAddress> bindAddress(YamlValue value) {
        return value.text().flatMap(text -> {
            try {
                return Optional.of(Addresses.bind(text.trim()));
            } catch (IllegalArgumentException e) {
                value.error(e.getMessage());
                return Optional.empty();
            }
        });
    }

    private void checkUnique() {
        Map<String, Entry> byName = new HashMap<>();
        Map<InetSocketAddress, Entry> byBind = new HashMap<>();
        for (Entry l : entries) {
            l.name().ifPresent(name -> {
                Entry first = byName.putIfAbsent(name, l);
                if (first != null) {
                    l.nameAt().error("duplicate listener name '" + name + "' (first at line "
                            + first.nameAt().line() + ")");
                }
            });
            l.bind().ifPresent(bind -> {
                Entry first = byBind.putIfAbsent(bind, l);
                if (first != null) {
                    String owner = first.name().map(n -> "listener '" + n + "'").orElse("another listener");
                    l.bindAt().error("address already used by " + owner + " (line " + first.bindAt().line() + ")");
                }
            });
        }
    }
}
