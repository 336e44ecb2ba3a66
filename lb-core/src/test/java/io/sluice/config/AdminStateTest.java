package io.sluice.config;

import static io.sluice.config.Yaml.MINIMAL;
import static io.sluice.config.Yaml.assertContains;
import static io.sluice.config.Yaml.onlyError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.yaml.ConfigError;
import io.sluice.yaml.ConfigException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin listener and the state store: paths, files, one test per rule. MINIMAL ends at line 9. */
class AdminStateTest {

    @TempDir
    Path dir;

    private static final Path CWD = Path.of("").toAbsolutePath();

    private Path write(String name, String yaml) throws Exception {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml);
        return file;
    }

    private Path token(String name) throws Exception {
        return write(name, "s3cret\n");
    }

    private static ConfigError onlyLoadError(Path file, int line, String key) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(1, e.errors().size(), e::getMessage);
        ConfigError error = e.errors().get(0);
        assertEquals(file.toString(), error.file());
        assertEquals(line, error.line(), e::getMessage);
        assertEquals(key, error.key(), e::getMessage);
        return error;
    }

    // ---- defaults

    @Test
    void noAdminAndLocalStateByDefault() {
        SluiceConfig config = Yaml.load(MINIMAL);
        assertNull(config.admin());
        // Parsed text has no file to put the state file beside.
        assertEquals(new StateConfig("local", null), config.state());
    }

    @Test
    void adminAloneCountsAsAbsent() {
        assertNull(Yaml.load(MINIMAL + "admin:\n").admin());
        assertEquals(new StateConfig("local", null), Yaml.load(MINIMAL + "state:\n").state());
        assertEquals(new StateConfig("local", null), Yaml.load(MINIMAL + "state: {}\n").state());
    }

    @Test
    void defaultStateFileSitsBesideTheConfigNamedAfterIt() throws Exception {
        assertEquals(new StateConfig("local", dir.resolve("sluice.state.json")),
                ConfigLoader.load(write("sluice.yaml", MINIMAL)).state());
        assertEquals(dir.resolve("edge.state.json"), ConfigLoader.load(write("edge.yml", MINIMAL)).state().file());
        assertEquals(dir.resolve("lb.conf.state.json"), ConfigLoader.load(write("lb.conf", MINIMAL)).state().file());
        assertEquals(dir.resolve("sub/x.state.json"),
                ConfigLoader.load(write("sub/x.yaml", MINIMAL + "state: { store: local }\n")).state().file());
    }

    @Test
    void defaultStateFileIsAbsoluteForARelativeConfigPath() throws Exception {
        // Surefire runs in lb-core; the shipped config is ../conf/sluice.yaml.
        StateConfig state = ConfigLoader.load(Path.of("../conf/sluice.yaml")).state();
        assertEquals(CWD.resolve("../conf/sluice.state.json").normalize(), state.file());
    }

    // ---- admin

    @Test
    void adminBindOnly() {
        AdminConfig admin = Yaml.load(MINIMAL + "admin:\n  bind: 127.0.0.1:9900\n").admin();
        assertEquals(new AdminConfig(new InetSocketAddress("127.0.0.1", 9900), null), admin);
        assertEquals(new InetSocketAddress(9900), Yaml.load(MINIMAL + "admin: { bind: \":9900\" }\n").admin().bind());
        assertEquals(new InetSocketAddress("::1", 9900),
                Yaml.load(MINIMAL + "admin: { bind: \"[::1]:9900\" }\n").admin().bind());
    }

    @Test
    void adminBindIsRequired() {
        assertEquals("required key is missing", onlyError(MINIMAL + "admin: {}\n", 10, "admin.bind"));
        assertEquals("a value is required", onlyError(MINIMAL + "admin:\n  bind:\n", 11, "admin.bind"));
    }

    @Test
    void adminMustBeAMapping() {
        assertEquals("expected a mapping, found '127.0.0.1:9900'",
                onlyError(MINIMAL + "admin: 127.0.0.1:9900\n", 10, "admin"));
    }

    @Test
    void unknownAdminKey() {
        assertEquals("unknown key 'tokenfile' (did you mean 'token-file'?)",
                onlyError(MINIMAL + "admin:\n  bind: 127.0.0.1:9900\n  tokenfile: x\n", 12, "admin.tokenfile"));
    }

    @Test
    void adminBindFollowsListenerRules() {
        assertEquals("'admin.internal:9900' (a listener binds to an IP address or localhost, not a hostname)",
                onlyError(MINIMAL + "admin:\n  bind: admin.internal:9900\n", 11, "admin.bind"));
        assertEquals("'127.0.0.1:0' (port 0 out of range 1..65535)",
                onlyError(MINIMAL + "admin:\n  bind: 127.0.0.1:0\n", 11, "admin.bind"));
        assertEquals("'9900' (expected ip:port, [ipv6]:port or :port)",
                onlyError(MINIMAL + "admin:\n  bind: 9900\n", 11, "admin.bind"));
    }

    @Test
    void adminBindMustNotBeAListenerBind() {
        assertEquals("address already used by listener 'chat' (line 3)",
                onlyError(MINIMAL + "admin:\n  bind: 127.0.0.1:7000\n", 11, "admin.bind"));
        assertEquals("address already used by listener 'chat' (line 3)",
                onlyError(MINIMAL + "admin:\n  bind: localhost:7000\n", 11, "admin.bind"));
    }

    @Test
    void allowedHostsAreNormalized() {
        AdminConfig admin = Yaml.load(MINIMAL + """
                admin:
                  bind: 127.0.0.1:9900
                  allowed-hosts: [Admin.Example.COM., "10.0.0.5:9900", "[FD00::5]", "proxy.example.com:443"]
                """).admin();
        assertEquals(List.of("admin.example.com", "10.0.0.5:9900", "[fd00::5]", "proxy.example.com:443"), admin.allowedHosts());
        assertEquals(List.of(), Yaml.load(MINIMAL + "admin:\n  bind: 127.0.0.1:9900\n").admin().allowedHosts(),
                "absent: the defaults");
        assertEquals(List.of("*"),
                Yaml.load(MINIMAL + "admin:\n  bind: 127.0.0.1:9900\n  allowed-hosts: ['*']\n").admin().allowedHosts());
    }

    @Test
    void allowedHostsMustBeHostNames() {
        String expected = " (expected a host name or IP address with an optional port, like admin.example.com,"
                + " 10.0.0.5:9900 or [fd00::5])";
        for (String bad : List.of("http://admin.example.com", "admin.example.com/x", "user@admin", "a b", "host:0",
                "host:70000", "host:", "under_score")) {
            assertEquals("'" + bad + "'" + expected, onlyError(MINIMAL + "admin:\n  bind: 127.0.0.1:9900\n  allowed-hosts:\n    - \""
                    + bad + "\"\n", 13, "admin.allowed-hosts[0]"), bad);
        }
        assertEquals("'fd00::5' (expected a host name or IP address with an optional port, like admin.example.com,"
                        + " 10.0.0.5:9900 or [fd00::5]; an IPv6 address goes in brackets)",
                onlyError(MINIMAL + "admin:\n  bind: 127.0.0.1:9900\n  allowed-hosts:\n    - \"fd00::5\"\n", 13,
                        "admin.allowed-hosts[0]"));
        assertEquals("'[fd00::zz]'" + expected,
                onlyError(MINIMAL + "admin:\n  bind: 127.0.0.1:9900\n  allowed-hosts: [\"[fd00::zz]\"]\n", 12,
                        "admin.allowed-hosts[0]"));
    }

    @Test
    void allowedHostsIsANonEmptyListWithoutRepeatsAndStarAlone() {
        String head = MINIMAL + "admin:\n  bind: 127.0.0.1:9900\n";
        assertEquals("at least one host name is required (leave allowed-hosts out for the defaults: localhost, 127.0.0.1,"
                + " [::1] and the bind address)", onlyError(head + "  allowed-hosts: []\n", 12, "admin.allowed-hosts"));
        assertEquals("expected a list, found 'localhost'", onlyError(head + "  allowed-hosts: localhost\n", 12,
                "admin.allowed-hosts"));
        assertEquals("duplicate host 'localhost'", onlyError(head + "  allowed-hosts:\n    - localhost\n    - LocalHost\n",
                14, "admin.allowed-hosts[1]"));
        assertEquals("'*' answers every Host (no DNS-rebinding defence); list either '*' alone or names",
                onlyError(head + "  allowed-hosts: ['*', localhost]\n", 12, "admin.allowed-hosts"));
    }

    @Test
    void tokenFileAbsolute() throws Exception {
        Path token = token("admin.token");
        AdminConfig admin = Yaml.load(MINIMAL + "admin:\n  bind: 127.0.0.1:9900\n  token-file: " + token + "\n").admin();
        assertEquals(new AdminConfig(new InetSocketAddress("127.0.0.1", 9900), token), admin);
    }

    @Test
    void tokenFileRelativeResolvesAgainstTheConfigDirectory() throws Exception {
        Path token = token("etc/secrets/admin.token");
        Path config = write("etc/sluice.yaml",
                MINIMAL + "admin:\n  bind: 127.0.0.1:9900\n  token-file: secrets/../secrets/admin.token\n");
        assertEquals(token, ConfigLoader.load(config).admin().tokenFile());
    }

    @Test
    void tokenFileRelativeResolvesAgainstTheWorkingDirectoryForText() {
        String message = onlyError(MINIMAL + "admin:\n  bind: 127.0.0.1:9900\n  token-file: no/such.token\n", 12,
                "admin.token-file");
        assertEquals("token file " + CWD.resolve("no/such.token") + " does not exist", message);
    }

    @Test
    void tokenFileMustExist() throws Exception {
        Path config = write("sluice.yaml", MINIMAL + "admin:\n  bind: 127.0.0.1:9900\n  token-file: admin.tokn\n");
        assertEquals("token file " + dir.resolve("admin.tokn") + " does not exist",
                onlyLoadError(config, 12, "admin.token-file").message());
    }

    @Test
    void tokenFileTildeIsNotExpanded() {
        assertContains(onlyError(MINIMAL + "admin:\n  bind: 127.0.0.1:9900\n  token-file: ~/admin.token\n", 12,
                "admin.token-file"), "(~ is not expanded; write the full path)");
    }

    @Test
    void tokenFileMustNotBeEmpty() throws Exception {
        for (String content : List.of("", " \n\t\n")) {
            Path token = write("empty.token", content);
            assertEquals("token file " + token + " is empty (expected the admin token)",
                    onlyError(MINIMAL + "admin:\n  bind: 127.0.0.1:9900\n  token-file: " + token + "\n", 12,
                            "admin.token-file"));
        }
    }

    @Test
    void tokenFileMustBeAFile() throws Exception {
        assertEquals("token file " + dir + " is a directory",
                onlyError(MINIMAL + "admin:\n  bind: 127.0.0.1:9900\n  token-file: " + dir + "\n", 12,
                        "admin.token-file"));
    }

    @Test
    void tokenFileMustBeSmall() throws Exception {
        Path big = write("big.token", "x".repeat(AdminBinder.MAX_TOKEN_FILE_BYTES + 1));
        assertEquals("token file " + big + " is larger than 64 KiB; is it really the token?",
                onlyError(MINIMAL + "admin:\n  bind: 127.0.0.1:9900\n  token-file: " + big + "\n", 12,
                        "admin.token-file"));
    }

    @Test
    void tokenFileMustBeReadable() throws Exception {
        Path token = token("locked.token");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("---------"));
        assumeTrue(!Files.isReadable(token), "running as root: every file is readable");
        assertEquals("token file " + token + " cannot be read: permission denied",
                onlyError(MINIMAL + "admin:\n  bind: 127.0.0.1:9900\n  token-file: " + token + "\n", 12,
                        "admin.token-file"));
    }

    @Test
    void tokenFileMustBeAPath() {
        assertEquals("expected a file path",
                onlyError(MINIMAL + "admin:\n  bind: 127.0.0.1:9900\n  token-file: \"\"\n", 12, "admin.token-file"));
        assertContains(onlyError(MINIMAL + "admin:\n  bind: 127.0.0.1:9900\n  token-file: \"a\\0b\"\n", 12,
                "admin.token-file"), "not a valid path");
    }

    @Test
    void adminErrorsAreAllReported() {
        List<ConfigError> errors = Yaml.errors(MINIMAL + "admin:\n  bind: 127.0.0.1:7000\n  token-file: /no/such\n");
        assertEquals(2, errors.size(), Yaml.render(errors));
        Yaml.assertError(errors, 11, "admin.bind");
        Yaml.assertError(errors, 12, "admin.token-file");
    }

    // ---- state

    @Test
    void stateFileRelativeResolvesAgainstTheConfigDirectory() throws Exception {
        Path config = write("conf/sluice.yaml", MINIMAL + "state:\n  store: local\n  file: ../var/lb.json\n");
        assertEquals(new StateConfig("local", dir.resolve("var/lb.json")), ConfigLoader.load(config).state());
    }

    @Test
    void stateFileRelativeResolvesAgainstTheWorkingDirectoryForText() {
        assertEquals(CWD.resolve("lb.json"), Yaml.load(MINIMAL + "state: { file: lb.json }\n").state().file());
    }

    @Test
    void stateFileAbsoluteAndNotYetExisting() {
        Path file = dir.resolve("later/state.json");
        assertEquals(file, Yaml.load(MINIMAL + "state: { file: " + file + " }\n").state().file());
    }

    @Test
    void stateFileMustNotBeADirectory() {
        assertEquals("state file " + dir + " is a directory (expected a file name, like sluice.state.json)",
                onlyError(MINIMAL + "state:\n  file: " + dir + "\n", 11, "state.file"));
    }

    @Test
    void stateFileMustBeAPath() {
        assertEquals("expected a file path", onlyError(MINIMAL + "state:\n  file: ''\n", 11, "state.file"));
        assertEquals("expected a single value, found a list",
                onlyError(MINIMAL + "state:\n  file: [a]\n", 11, "state.file"));
    }

    @Test
    void zookeeperStoreNeedsTheZookeeperRegistryAndConsulIsNotThereYet() {
        assertEquals("state store zookeeper needs discovery.zookeeper (its connect and base-path are used)",
                onlyError(MINIMAL + "state:\n  store: zookeeper\n", 11, "state.store"));
        assertEquals("state store consul needs discovery.consul (its address, token-file and datacenter are used)",
                onlyError(MINIMAL + "state:\n  store: consul\n", 11, "state.store"));
    }

    @Test
    void unknownStore() {
        assertEquals("'locale' (expected local, zookeeper or consul) (did you mean 'local'?)",
                onlyError(MINIMAL + "state:\n  store: locale\n", 11, "state.store"));
        assertEquals("'redis' (expected local, zookeeper or consul)", onlyError(MINIMAL + "state:\n  store: redis\n", 11, "state.store"));
    }

    @Test
    void unknownStateKey() {
        assertEquals("unknown key 'path' (expected store or file)",
                onlyError(MINIMAL + "state:\n  path: x.json\n", 11, "state.path"));
    }

    @Test
    void stateMustBeAMapping() {
        assertEquals("expected a mapping, found 'local'", onlyError(MINIMAL + "state: local\n", 10, "state"));
    }
}
