package io.sluice.dist;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.harness.Ports;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The Debian package on this machine: {@code dpkg -i target/sluice.deb}, then the installed
 * commands, config, unit, user and directories are checked, and {@code dpkg --purge} removes it all
 * again (also when a check fails; the test also deletes the sluice user if it made it).
 *
 * <p>Skipped, with the reason, when not root or without dpkg, and when a sluice package is already
 * installed (it is not ours to replace). Never starts a systemd unit (containers have no systemd);
 * the unit is checked with {@code systemd-analyze verify} where that exists. Installs are serialised
 * across builds on one machine by a file lock, and a dpkg lock held by another install is waited out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class PackageInstallIT {

    private static final Path DEB = Path.of(System.getProperty("sluice.deb", "target/sluice.deb")).toAbsolutePath();
    private static final Duration COMMAND_LIMIT = Duration.ofSeconds(90);
    private static final Path UNIT = Path.of("/usr/lib/systemd/system/sluice.service");
    private static final Path AGENT_UNIT = Path.of("/usr/lib/systemd/system/sluice-agent.service");
    private static final Path CONFIG = Path.of("/etc/sluice/sluice.yaml");

    private FileChannel lockFile;
    private FileLock lock;
    private boolean userExisted;
    private boolean installed;

    @BeforeAll
    void install() throws Exception {
        assumeTrue(Files.isRegularFile(DEB), "no package at " + DEB + " (built by `mvn verify` in lb-dist's package phase)");
        assumeTrue(Command.exists("dpkg"), "dpkg is missing: not a Debian-like machine, the package cannot be installed");
        assumeTrue("0".equals(Command.run(COMMAND_LIMIT, "id", "-u").output().trim()),
                "not root: dpkg -i needs root (CI runs as root)");
        // One install at a time among the builds on this machine (they all install "sluice").
        lockFile = FileChannel.open(Path.of("/tmp/sluice-package-test.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        lock = lockFile.lock();
        assumeFalse(Command.run(COMMAND_LIMIT, "dpkg-query", "-W", "-f=${Status}", "sluice").output().contains("installed"),
                "a sluice package is already installed here: this test will not replace or purge it");
        userExisted = Command.run(COMMAND_LIMIT, "getent", "passwd", "sluice").ok();

        installed = true; // before dpkg returns: a half-done install is purged too
        Command install = dpkg("-i", DEB.toString());
        assertTrue(install.ok(), install.toString());
    }

    @AfterAll
    void purge() throws Exception {
        try {
            if (installed) {
                Command purge = dpkg("--purge", "sluice");
                assertTrue(purge.ok(), purge.toString());
                for (Path gone : List.of(Path.of("/usr/bin/sluice"), Path.of("/usr/bin/sluicectl"), Path.of("/usr/share/sluice"),
                        UNIT, Path.of("/etc/sluice"), Path.of("/var/lib/sluice"), Path.of("/var/log/sluice"))) {
                    assertFalse(Files.exists(gone, LinkOption.NOFOLLOW_LINKS), gone + " is left after dpkg --purge");
                }
            }
        } finally {
            try {
                if (installed && !userExisted) {
                    // Debian's practice keeps a package's system user after a purge; the test leaves the machine as it found it.
                    Command.run(COMMAND_LIMIT, "userdel", "sluice");
                    Command.run(COMMAND_LIMIT, "groupdel", "sluice");
                }
            } finally {
                if (lock != null) {
                    lock.release();
                }
                if (lockFile != null) {
                    lockFile.close();
                }
            }
        }
    }

    @Test
    void theCommandsRunAndTheInstalledConfigPassesCheck() throws Exception {
        Command version = Command.run(COMMAND_LIMIT, "/usr/bin/sluice", "version");
        assertTrue(version.ok() && version.output().startsWith("sluice ") && version.output().contains("java "), version.toString());
        Command check = Command.run(COMMAND_LIMIT, "/usr/bin/sluice", "check", "--config", CONFIG.toString());
        assertTrue(check.ok() && check.output().contains(CONFIG + " is valid"), check.toString());
        Command ctl = Command.run(COMMAND_LIMIT, "/usr/bin/sluicectl", "--version");
        assertTrue(ctl.ok() && ctl.output().startsWith("sluicectl "), ctl.toString());
        Command agent = Command.run(COMMAND_LIMIT, "/usr/bin/sluice-agent", "--version");
        assertTrue(agent.ok() && agent.output().startsWith("sluice-agent "), agent.toString());
        assertEquals(Path.of("../share/sluice/sluice"), Files.readSymbolicLink(Path.of("/usr/bin/sluice")));
    }

    @Test
    void aSystemUserOwnsTheStateAndLogDirectoriesAndTheToken() throws Exception {
        Command user = Command.run(COMMAND_LIMIT, "getent", "passwd", "sluice");
        assertTrue(user.ok(), user.toString());
        String[] fields = user.output().trim().split(":");
        assertTrue(Integer.parseInt(fields[2]) < 1000, "a system user: " + user.output());
        assertEquals("/var/lib/sluice", fields[5], user.output());
        assertEquals("/usr/sbin/nologin", fields[6], user.output());
        for (Path dir : List.of(Path.of("/var/lib/sluice"), Path.of("/var/log/sluice"))) {
            assertEquals("sluice", Files.getOwner(dir).getName(), dir.toString());
            assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)), dir.toString());
        }
        Path token = Path.of("/etc/sluice/admin.token");
        assertEquals("sluice", Files.getOwner(token).getName());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(token)));
        assertTrue(Files.size(token) >= 32, "a random token: " + Files.size(token) + " bytes");
    }

    @Test
    void theConfigurationFilesAreConffiles() throws Exception {
        Command conffiles = Command.run(COMMAND_LIMIT, "dpkg-query", "-W", "-f=${Conffiles}", "sluice");
        for (String f : List.of("/etc/sluice/sluice.yaml", "/etc/sluice/logback.xml", "/etc/logrotate.d/sluice")) {
            assertTrue(conffiles.output().contains(" " + f + " "), f + " is no conffile: " + conffiles);
        }
    }

    @Test
    void theUnitRunsTheInstalledDaemonAsSluiceWithItsStateDirectory() throws Exception {
        String unit = Files.readString(UNIT);
        for (String line : List.of("User=sluice", "StateDirectory=sluice", "LogsDirectory=sluice",
                "ExecStart=/usr/bin/sluice run --config /etc/sluice/sluice.yaml",
                "ExecReload=/usr/bin/sluicectl upgrade --exec /usr/bin/sluice --wait-timeout 120s")) {
            assertTrue(unit.lines().anyMatch(line::equals), "the unit has no line " + line);
        }
    }

    @Test
    void systemdAnalyzeVerifiesTheUnits() throws Exception {
        assumeTrue(Command.exists("systemd-analyze"),
                "systemd-analyze is missing (Debian package systemd): the units' syntax is not verified on this machine");
        Command verify = Command.run(COMMAND_LIMIT, "systemd-analyze", "verify", UNIT.toString(), AGENT_UNIT.toString());
        assertTrue(verify.ok(), verify.toString());
        assertFalse(verify.output().contains("sluice"), "warnings about our units: " + verify);
    }

    @Test
    void logrotateAcceptsTheAccessLogRule() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/logrotate")),
                "logrotate is missing (Debian package logrotate, a Recommends of ours): its rule is not checked here");
        Path state = Files.createTempFile("sluice-logrotate-", ".state");
        try {
            // -d: a dry run, changes nothing; its own state file, not the system's.
            Command dry = Command.run(COMMAND_LIMIT, "/usr/sbin/logrotate", "-d", "-s", state.toString(), "/etc/logrotate.d/sluice");
            assertTrue(dry.ok(), dry.toString());
            assertTrue(dry.output().contains("/var/log/sluice/access.log"), dry.toString());
            assertFalse(dry.output().toLowerCase(Locale.ROOT).contains("error"), dry.toString());
        } finally {
            Files.deleteIfExists(state);
        }
    }

    /**
     * The installed daemon as the unit would run it (the sluice user, /etc/sluice/logback.xml,
     * the state directory), without systemd: on the installed config with free ports, it starts,
     * {@code sluicectl drain} (with the token the package made, found by the wrapper) is kept in
     * /var/lib/sluice, the daemon log is JSON with SLUICE_LOG_FORMAT=json, the access log file is
     * written, and SIGTERM stops it with exit 0.
     */
    @Test
    void theInstalledDaemonRunsAsSluiceAndKeepsADrainInItsStateDirectory() throws Exception {
        int port = Ports.freePort();
        int admin = Ports.freePort();
        Path dir = Files.createTempDirectory("sluice-dist-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path config = dir.resolve("sluice.yaml");
        Files.writeString(config, Files.readString(CONFIG)
                .replace("bind: 127.0.0.1:8000", "bind: 127.0.0.1:" + port)
                .replace("bind: 127.0.0.1:9900", "bind: 127.0.0.1:" + admin));
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
        // What the unit's RuntimeDirectory= would make: the handover socket's directory.
        assertTrue(Command.run(COMMAND_LIMIT, "install", "-d", "-m", "0700", "-o", "sluice", "-g", "sluice", "/run/sluice").ok());
        Path out = dir.resolve("daemon.out");
        Process daemon = new ProcessBuilder("setpriv", "--reuid=sluice", "--regid=sluice", "--init-groups",
                "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/var/lib/sluice", "STATE_DIRECTORY=/var/lib/sluice",
                "SLUICE_HEAP=128m", "SLUICE_DIRECT=128m", "SLUICE_LOG_FORMAT=json",
                "SLUICE_JAVA_OPTS=-Dlogback.configurationFile=/etc/sluice/logback.xml",
                "/usr/bin/sluice", "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            String adminUrl = "http://127.0.0.1:" + admin;
            await("the installed daemon's admin API").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                    .failFast("the daemon exited: " + out, () -> !daemon.isAlive())
                    .until(() -> Command.run(COMMAND_LIMIT, "/usr/bin/sluicectl", "--admin", adminUrl, "pools").ok());
            Command drain = Command.run(COMMAND_LIMIT, "/usr/bin/sluicectl", "--admin", adminUrl, "drain", "app/app-1");
            assertTrue(drain.ok(), drain.toString());
            Path state = Path.of("/var/lib/sluice/sluice.state.json");
            assertTrue(Files.readString(state).contains("app/app-1") && Files.readString(state).contains("drain"),
                    Files.readString(state));
            assertEquals("sluice", Files.getOwner(state).getName());
            assertTrue(Files.exists(Path.of("/var/log/sluice/access.log")), "the access log file, from /etc/sluice/logback.xml");

            Command.run(COMMAND_LIMIT, "kill", "-TERM", Long.toString(daemon.pid()));
            assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "no exit after SIGTERM");
            assertEquals(0, daemon.exitValue(), Files.readString(out));
            List<String> lines = Files.readAllLines(out).stream().filter(l -> !l.isBlank()).toList();
            assertTrue(lines.stream().anyMatch(l -> l.contains("\"message\":\"Sluice started")), Files.readString(out));
            for (String line : lines) {
                assertTrue(line.startsWith("{\"time\":\"") && line.endsWith("}"), "not a JSON daemon log line: " + line);
            }
        } finally {
            daemon.destroyForcibly();
            daemon.waitFor(20, TimeUnit.SECONDS);
            Files.deleteIfExists(out);
            Files.deleteIfExists(config);
            Files.deleteIfExists(dir);
        }
    }

    /** dpkg with {@code args}; waits (bounded) while another install holds dpkg's lock. */
    private static Command dpkg(String... args) throws IOException {
        String[] argv = new String[args.length + 1];
        argv[0] = "dpkg";
        System.arraycopy(args, 0, argv, 1, args.length);
        AtomicReference<Command> last = new AtomicReference<>();
        await("dpkg's lock").atMost(Duration.ofMinutes(3)).pollDelay(Duration.ZERO).pollInterval(Duration.ofSeconds(2))
                .until(() -> {
                    last.set(Command.run(COMMAND_LIMIT, argv));
                    String out = last.get().output();
                    return last.get().ok() || !(out.contains("lock") && out.contains("another process"));
                });
        return last.get();
    }
}
