package io.sluice.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code sluice.yaml} written as text, the way an operator writes it, for tests that run the
 * daemon from a file (a process, {@code ConfigLoader}, a reload). Tests inside lb-core that want
 * records instead use lb-core's {@code TestConfigs}.
 *
 * <p>Pools default to {@code health: { type: none }}: an active check is a connection the test
 * backends would see and count. Anything this builder does not name goes in verbatim through
 * {@link #poolSetting} or {@link #section}. Not thread-safe: build it on one thread.
 */
public final class ConfigText {

    private final List<String> listeners = new ArrayList<>();
    private final Map<String, Pool> pools = new LinkedHashMap<>();
    private final List<String> sections = new ArrayList<>();
    private String admin;

    private static final class Pool {
        private final String balance;
        private final List<String> backends = new ArrayList<>();
        private final List<String> settings = new ArrayList<>();

        private Pool(String balance) {
            this.balance = balance;
        }
    }

    private ConfigText() {}

    public static ConfigText create() {
        return new ConfigText();
    }

    /** A TCP listener {@code name} on {@code 127.0.0.1:port} to {@code pool}. */
    public ConfigText listener(String name, int port, String pool) {
        listeners.add("  - { name: " + name + ", bind: 127.0.0.1:" + port + ", pool: " + pool + " }");
        return this;
    }

    /** A pool balanced by {@code balance} ({@code round-robin}, {@code least-connections}, ...). */
    public ConfigText pool(String name, String balance) {
        pools.put(name, new Pool(balance));
        return this;
    }

    /** A static backend of {@code pool} (which must have been added) at a loopback address. */
    public ConfigText backend(String pool, String name, InetSocketAddress address, int weight) {
        pool(pool).backends.add("      - { name: " + name + ", address: 127.0.0.1:" + address.getPort()
                + ", weight: " + weight + " }");
        return this;
    }

    /** A test backend by its own name, weight 100. */
    public ConfigText backend(String pool, TestBackend backend) {
        return backend(pool, backend.name(), backend.address(), 100);
    }

    /** One more line under the pool, e.g. {@code discover: { consul: { service: chat } }}. */
    public ConfigText poolSetting(String pool, String yamlLine) {
        pool(pool).settings.add("    " + yamlLine);
        return this;
    }

    /** The admin listener on {@code 127.0.0.1:port}; {@code tokenFile} null for read-only. */
    public ConfigText admin(int port, Path tokenFile) {
        admin = "admin: { bind: 127.0.0.1:" + port
                + (tokenFile == null ? "" : ", token-file: \"" + tokenFile + "\"") + " }";
        return this;
    }

    /** A top-level section as written, e.g. {@code "discovery:\n  consul: { address: ... }"}. */
    public ConfigText section(String yaml) {
        sections.add(yaml.stripTrailing());
        return this;
    }

    private Pool pool(String name) {
        Pool p = pools.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no pool " + name + " yet: call pool(\"" + name + "\", ...) first");
        }
        return p;
    }

    /** The YAML. */
    public String render() {
        StringBuilder y = new StringBuilder();
        if (!listeners.isEmpty()) {
            y.append("listeners:\n");
            listeners.forEach(l -> y.append(l).append('\n'));
        }
        if (!pools.isEmpty()) {
            y.append("pools:\n");
            pools.forEach((name, p) -> {
                y.append("  ").append(name).append(":\n");
                y.append("    balance: ").append(p.balance).append('\n');
                y.append("    health: { type: none }\n");
                if (!p.backends.isEmpty()) {
                    y.append("    backends:\n");
                    p.backends.forEach(b -> y.append(b).append('\n'));
                }
                p.settings.forEach(s -> y.append(s).append('\n'));
            });
        }
        if (admin != null) {
            y.append(admin).append('\n');
        }
        sections.forEach(s -> y.append(s).append('\n'));
        return y.toString();
    }

    /** Writes {@link #render()} to {@code file}; returns it. */
    public Path writeTo(Path file) throws IOException {
        Files.writeString(file, render());
        return file;
    }

    @Override
    public String toString() {
        return render();
    }
}
