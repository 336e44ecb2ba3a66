package io.sluice.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.harness.CommandRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice check}: exit 0 and a summary, or exit 2 and every error with file, line and key. */
class CheckCommandTest {

    @TempDir
    Path dir;

    CommandRun run(String... args) {
        return CommandRun.of(SluiceCommand.commandLine(), args);
    }

    @Test
    void theShippedConfigIsValid() {
        CommandRun r = run("check", "--config", "../conf/sluice.yaml");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("is valid: 2 listeners, 2 pools, 4 backends"), r.out());
    }

    @Test
    void theFileMayBeGivenWithoutConfig() {
        CommandRun r = run("check", "../conf/sluice.yaml");
        assertEquals(0, r.exit(), r.err());
        assertEquals("Configuration ../conf/sluice.yaml is valid: 2 listeners, 2 pools, 4 backends\n", r.out());
        assertEquals(0, run("check", "../conf/sluice.yaml", "--config", "../conf/sluice.yaml").exit());
    }

    @Test
    void withoutAFileItSaysHowToGiveOne() {
        CommandRun r = run("check");
        assertEquals(2, r.exit(), r.err());
        assertEquals("sluice: no config file: give FILE or --config FILE\n"
                + "Try 'sluice check --help' for more information.\n", r.err());
    }

    @Test
    void twoDifferentFilesAreRefused() {
        CommandRun r = run("check", "a.yaml", "--config", "b.yaml");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().startsWith("sluice: two config files: a.yaml and --config b.yaml (give one)\n"), r.err());
    }

    @Test
    void everyErrorIsReportedWithFileLineAndKey() throws Exception {
        Path f = dir.resolve("broken.yaml");
        Files.writeString(f, """
                listeners:
                  - name: edge
                    bind: 127.0.0.1:7000
                    pool: missing
                pools:
                  app:
                    retries: -1
                    backends:
                      - { name: a, address: 127.0.0.1:9001, weight: 5000 }
                timeouts:
                  idle: 10 minutes
                """);
        CommandRun r = run("check", "--config", f.toString());
        assertEquals(2, r.exit());
        String err = r.err();
        assertTrue(err.contains("broken.yaml:4: listeners[0].pool"), err);
        assertTrue(err.contains("broken.yaml:7: pools.app.retries"), err);
        assertTrue(err.contains("broken.yaml:9: pools.app.backends[0].weight"), err);
        assertTrue(err.contains("broken.yaml:11: timeouts.idle"), err);
        assertTrue(err.contains("4 errors found"), err);
        assertFalse(err.contains("\tat "), err);
    }

    @Test
    void aMissingFileIsAnErrorNotAStackTrace() {
        CommandRun r = run("check", "--config", dir.resolve("nope.yaml").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("nope.yaml"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void missingOrUnknownArgumentsExitTwo() {
        assertEquals(2, run("check").exit());
        assertEquals(2, run("run", "--bogus").exit());
        assertEquals(2, run("frobnicate").exit());
    }

    @Test
    void versionAndHelpExitZero() {
        assertEquals(0, run("--version").exit());
        assertEquals(0, run("--help").exit());
        CommandRun v = run("version");
        assertEquals(0, v.exit());
        assertTrue(v.out().contains("sluice"), v.out());
    }

    private static final String MINIMAL = """
            listeners:
              - { name: edge, bind: 127.0.0.1:7000, pool: app }
            pools:
              app:
                backends:
                  - { name: a, address: 127.0.0.1:9001 }
            """;

    @Test
    void aStateFileInAMissingDirectoryIsRefused() throws Exception {
        Path f = dir.resolve("state.yaml");
        Path missing = dir.resolve("no-such-dir").resolve("sluice.state.json");
        Files.writeString(f, MINIMAL + "state: { file: " + missing + " }\n");
        CommandRun r = run("check", "--config", f.toString());
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains(f + ": state.file: state file " + missing + ": its directory " + missing.getParent()
                + " does not exist (create it, or set state.file); admin changes would apply but not survive a restart"), r.err());
        assertTrue(r.err().contains("1 error found in the files the daemon needs (checked as this user, uid "), r.err());
        assertEquals("", r.out());
    }

    @Test
    void aStateFileInAReadOnlyDirectoryIsRefused() throws Exception {
        Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        Path f = dir.resolve("ro.yaml");
        Files.writeString(f, MINIMAL + "state: { file: " + readOnly.resolve("sluice.state.json") + " }\n");
        // Root writes through a mode of 0555; only the immutable attribute stops it (as a read-only mount would).
        assumeTrue(new ProcessBuilder("chattr", "+i", readOnly.toString()).start().waitFor() == 0, "chattr +i unavailable");
        try {
            CommandRun r = run("check", "--config", f.toString());
            assertEquals(2, r.exit(), r.toString());
            assertTrue(r.err().contains("its directory " + readOnly + " is not writable by this user"), r.err());
        } finally {
            new ProcessBuilder("chattr", "-i", readOnly.toString()).start().waitFor();
        }
    }

    @Test
    void aTokenOthersCanReadIsAWarningAndTheCheckPasses() throws Exception {
        Path token = dir.resolve("admin.token");
        Files.writeString(token, "s3cret\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
        Path f = dir.resolve("token.yaml");
        Files.writeString(f, MINIMAL + "admin: { bind: 127.0.0.1:9900, token-file: " + token + " }\n");
        CommandRun r = run("check", "--config", f.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals("warning: " + f + ": admin.token-file: " + token + " is readable by every user (mode rw-r--r--): chmod 600 "
                + token + "\n", r.err());
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        assertEquals("", run("check", "--config", f.toString()).err());
    }
}
