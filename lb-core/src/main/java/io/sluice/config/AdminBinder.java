package io.sluice.config;

import io.sluice.yaml.Suggestions;
import io.sluice.yaml.YamlMapping;
import io.sluice.yaml.YamlValue;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads the {@code admin} and {@code state} sections. Both may name files; a relative path is resolved
 * against the directory of the config file, or against the working directory when the config was
 * given as text ({@link ConfigLoader#parse}). Paths come back absolute and normalized.
 */
final class AdminBinder {

    static final List<String> ADMIN_KEYS = List.of("bind", "token-file", "allowed-hosts");
    static final List<String> STATE_KEYS = List.of("store", "file");
    static final String LOCAL_STORE = "local";
    /** Stores that come with service discovery; named in the error so nobody hunts for a typo. */
    static final String ZOOKEEPER_STORE = "zookeeper";
    static final String CONSUL_STORE = "consul";
    static final String STATE_SUFFIX = ".state.json";

    /** Larger than any sane token; a wrong path (a log, a disk image) fails fast instead of being read. */
    static final int MAX_TOKEN_FILE_BYTES = 64 << 10;

    /** The config file, or null when the config was given as text. */
    private final Path configFile;

    /** @param configFile the config file as given to {@link ConfigLoader#load}, or null */
    AdminBinder(Path configFile) {
        this.configFile = configFile;
    }

    /** The admin listener; null when {@code section} is broken (reported). */
    AdminConfig admin(YamlValue section, ListenerBinder listeners) {
        Optional<YamlMapping> found = section.mapping(ADMIN_KEYS);
        if (found.isEmpty()) {
            return null;
        }
        YamlMapping m = found.get();
        Optional<YamlValue> bindAt = m.require("bind");
        Optional<InetSocketAddress> bind = bindAt.flatMap(ListenerBinder::bindAddress);
        if (bind.isPresent()) {
            listeners.bindOwner(bind.get()).ifPresent(owner -> bindAt.get().error("address already used by " + owner));
        }
        Optional<YamlValue> tokenAt = m.get("token-file");
        Optional<Path> token = tokenAt.flatMap(v -> tokenFile(v, "admin token"));
        Optional<YamlValue> hostsAt = m.get("allowed-hosts");
        Optional<List<String>> hosts = hostsAt.isPresent() ? allowedHosts(hostsAt.get()) : Optional.of(List.of());
        if (bind.isEmpty() || (tokenAt.isPresent() && token.isEmpty()) || hosts.isEmpty()) {
            return null;
        }
        return new AdminConfig(bind.get(), token.orElse(null), hosts.get());
    }

    /**
     * {@code admin.allowed-hosts}: the Host names the admin API answers (a DNS-rebinding page sends
     * its own name), each a host name or IP address with an optional port, or {@code *} alone.
     * Normalized to lower case, without a trailing dot, IPv6 in brackets.
     */
    private static Optional<List<String>> allowedHosts(YamlValue value) {
        Optional<List<YamlValue>> elements = value.sequence();
        if (elements.isEmpty()) {
            return Optional.empty();
        }
        if (elements.get().isEmpty()) {
            value.error("at least one host name is required (leave allowed-hosts out for the defaults:"
                    + " localhost, 127.0.0.1, [::1] and the bind address)");
            return Optional.empty();
        }
        List<String> hosts = new ArrayList<>();
        boolean ok = true;
        for (YamlValue element : elements.get()) {
            Optional<String> text = element.text().map(String::trim);
            if (text.isEmpty()) {
                ok = false;
                continue;
            }
            String entry = text.get().equals(AdminConfig.ANY_HOST) ? AdminConfig.ANY_HOST : hostEntry(text.get());
            if (entry == null) {
                element.error(YamlValue.quote(text.get()) + " (expected a host name or IP address with an optional port,"
                        + " like admin.example.com, 10.0.0.5:9900 or [fd00::5]"
                        + (text.get().indexOf(':') != text.get().lastIndexOf(':') && !text.get().startsWith("[")
                                ? "; an IPv6 address goes in brackets)" : ")"));
                ok = false;
            } else if (hosts.contains(entry)) {
                element.error("duplicate host " + YamlValue.quote(entry));
                ok = false;
            } else {
                hosts.add(entry);
            }
        }
        if (ok && hosts.contains(AdminConfig.ANY_HOST) && hosts.size() > 1) {
            value.error("'*' answers every Host (no DNS-rebinding defence); list either '*' alone or names");
            ok = false;
        }
        return ok ? Optional.of(List.copyOf(hosts)) : Optional.empty();
    }

    /** {@code name[:port]} normalized as {@link AdminConfig#allowedHosts} keeps it, or null when it is not one. */
    static String hostEntry(String text) {
        if (text.isEmpty() || text.endsWith(":") || text.chars().anyMatch(c -> c <= ' ' || "/?#@\\".indexOf(c) >= 0)) {
            return null;
        }
        URI uri;
        try {
            uri = new URI("http://" + text);
        } catch (URISyntaxException e) {
            return null;
        }
        String host = uri.getHost();
        if (host == null || uri.getPort() == 0 || uri.getPort() > 65535 || !uri.getRawPath().isEmpty()) {
            return null;
        }
        host = host.toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            try {
                // An IPv6 literal is parsed, never looked up; the admin API compares it in RFC 5952 form.
                InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                return null;
            }
        } else if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return uri.getPort() < 0 ? host : host + ":" + uri.getPort();
    }

    /**
     * The token file: it must exist, be a readable regular file and hold a token, since a typo here
     * would otherwise leave the admin API silently read-only. The token is read only to see that it
     * is there; it is not kept. Also used for {@code discovery.consul.token-file}.
     *
     * @param what the token in the operator's words, for the "is empty" message ("admin token")
     */
    Optional<Path> tokenFile(YamlValue value, String what) {
        Optional<Path> found = path(value);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Path p = found.get();
        String problem = tokenProblem(p, what);
        if (problem != null) {
            value.error("token file " + p + " " + problem + tildeHint(value));
            return Optional.empty();
        }
        return found;
    }

    /** What is wrong with the token file at {@code p}, or null. */
    private static String tokenProblem(Path p, String what) {
        try {
            if (!Files.exists(p)) {
                return "does not exist";
            }
            if (Files.isDirectory(p)) {
                return "is a directory";
            }
            if (!Files.isRegularFile(p)) {
                return "is not a regular file";
            }
            if (Files.size(p) > MAX_TOKEN_FILE_BYTES) {
                return "is larger than " + (MAX_TOKEN_FILE_BYTES >> 10) + " KiB; is it really the token?";
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(p)) {
                bytes = in.readNBytes(MAX_TOKEN_FILE_BYTES);
            }
            boolean blank = new String(bytes, StandardCharsets.UTF_8).isBlank();
            Arrays.fill(bytes, (byte) 0);
            return blank ? "is empty (expected the " + what + ")" : null;
        } catch (AccessDeniedException e) {
            return "cannot be read: permission denied";
        } catch (IOException | SecurityException e) {
            return "cannot be read: " + e.getMessage();
        }
    }

    /** The state store; {@code section} empty means the defaults. */
    StateConfig state(Optional<YamlValue> section, DiscoveryConfig discovery) {
        StateConfig defaults = new StateConfig(LOCAL_STORE, defaultStateFile());
        if (section.isEmpty()) {
            return defaults;
        }
        Optional<YamlMapping> found = section.get().mapping(STATE_KEYS);
        if (found.isEmpty()) {
            return defaults;
        }
        String store = found.get().get("store").flatMap(v -> store(v, discovery)).orElse(LOCAL_STORE);
        Optional<YamlValue> fileAt = found.get().get("file");
        Path file = fileAt.isPresent() ? fileAt.flatMap(this::stateFile).orElse(null) : defaults.file();
        return new StateConfig(store, file);
    }

    private static Optional<String> store(YamlValue value, DiscoveryConfig discovery) {
        Optional<String> text = value.text().map(String::trim);
        if (text.isEmpty() || text.get().equals(LOCAL_STORE)) {
            return text;
        }
        String s = text.get();
        if (s.equals(ZOOKEEPER_STORE)) {
            if (discovery == null || discovery.zookeeper() == null) {
                value.error("state store zookeeper needs discovery.zookeeper (its connect and base-path are used)");
                return Optional.empty();
            }
            return text;
        }
        if (s.equals(CONSUL_STORE)) {
            if (discovery == null || discovery.consul() == null) {
                value.error("state store consul needs discovery.consul (its address, token-file and datacenter are used)");
                return Optional.empty();
            }
            return text;
        }
        value.error(YamlValue.quote(s) + " (expected local, zookeeper or consul)"
                + Suggestions.hint(s, List.of(LOCAL_STORE, ZOOKEEPER_STORE, CONSUL_STORE)));
        return Optional.empty();
    }

    /** The state file need not exist (it is written on the first admin change), but must not be a directory. */
    /**
     * The {@code handover} section: {@code socket}, a path short enough for a UNIX socket, and the
     * protocol's deadlines {@code step-timeout} (100ms to 1m) and {@code accept-timeout} (50ms to 10s).
     */
    HandoverConfig handover(YamlValue section) {
        Optional<YamlMapping> found = section.mapping(List.of("socket", "step-timeout", "accept-timeout"));
        if (found.isEmpty()) {
            return null;
        }
        Optional<YamlValue> at = found.get().require("socket");
        Optional<Path> socket = at.flatMap(this::path);
        if (socket.isEmpty()) {
            return null;
        }
        int bytes = socket.get().toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > HandoverConfig.MAX_PATH_BYTES) {
            at.get().error("the path is " + bytes + " bytes long; a UNIX socket path can have at most "
                    + HandoverConfig.MAX_PATH_BYTES + " (use a shorter directory, like /run/sluice)");
            return null;
        }
        if (Files.isDirectory(socket.get())) {
            at.get().error(socket.get() + " is a directory (expected a socket name, like handover.sock)");
            return null;
        }
        Duration step = found.get().duration("step-timeout", Duration.ofMillis(100), Duration.ofMinutes(1),
                "100ms to 1m", HandoverConfig.DEFAULT_STEP_TIMEOUT);
        Duration accept = found.get().duration("accept-timeout", Duration.ofMillis(50), Duration.ofSeconds(10),
                "50ms to 10s", HandoverConfig.DEFAULT_ACCEPT_TIMEOUT);
        return new HandoverConfig(socket.get(), step, accept);
    }

    private Optional<Path> stateFile(YamlValue value) {
        Optional<Path> p = path(value);
        if (p.isPresent() && Files.isDirectory(p.get())) {
            value.error("state file " + p.get() + " is a directory (expected a file name, like sluice.state.json)");
            return Optional.empty();
        }
        return p;
    }

    /**
     * Beside the config file, named after it: {@code sluice.yaml} (or {@code .yml}) keeps its state in
     * {@code sluice.state.json}, a name without those extensions gets {@code .state.json} appended.
     * Null for a config given as text: there is no file to put it beside.
     */
    private Path defaultStateFile() {
        if (configFile == null) {
            return null;
        }
        Path absolute = configFile.toAbsolutePath().normalize();
        Path name = absolute.getFileName();
        if (name == null) {
            return null;
        }
        String base = name.toString().replaceFirst("\\.(yaml|yml)$", "");
        return absolute.resolveSibling(base + STATE_SUFFIX);
    }

    /** A non-empty path, resolved against the config's directory (or the working directory). */
    private Optional<Path> path(YamlValue value) {
        Optional<String> text = value.text().map(String::trim);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        if (text.get().isEmpty()) {
            value.error("expected a file path");
            return Optional.empty();
        }
        Path p;
        try {
            p = Path.of(text.get());
        } catch (InvalidPathException e) {
            value.error(YamlValue.quote(text.get()) + " (not a valid path: " + e.getReason() + ")");
            return Optional.empty();
        }
        if (!p.isAbsolute()) {
            p = baseDirectory().resolve(p);
        }
        return Optional.of(p.normalize());
    }

    /** The config file's directory, or the working directory for a config given as text. */
    private Path baseDirectory() {
        if (configFile != null) {
            Path parent = configFile.toAbsolutePath().normalize().getParent();
            if (parent != null) {
                return parent;
            }
        }
        return Path.of("").toAbsolutePath();
    }

    private static String tildeHint(YamlValue value) {
        return value.text().map(String::trim).filter(t -> t.startsWith("~")).isPresent()
                ? " (~ is not expanded; write the full path)"
                : "";
    }
}
