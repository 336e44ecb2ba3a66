package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * upgrade: starts a real process (a bash script standing in for the sluice launcher: it records its
 * arguments and its pid, then sleeps or exits) and watches the fixture's status, which plays the
 * takeover once the script has written its pid.
 */
class UpgradeCommandTest extends AgainstFixture {
    private final List<ProcessHandle> started = new ArrayList<>();

    @AfterEach
    void stopWhatTheTestsStarted() throws IOException {
        if (Files.exists(pidFile())) {
            started.add(ProcessHandle.of(Long.parseLong(Files.readString(pidFile()).trim())).orElse(null));
        }
        started.stream().filter(p -> p != null && p.isAlive()).forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    void startsTheNewDaemonWithTheTakeoverSocketAndReportsTheHandover() throws Exception {
        Path script = launcher("exec sleep 30");
        api.takeoverPidFile = pidFile();
        api.unreachablePolls = 3;
        Cli.Result r = cli.run("upgrade", "--exec", script.toString(), "--exec-arg", "-jar", "--exec-arg", "/opt/sluice/sluice.jar");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(List.of("-jar", "/opt/sluice/sluice.jar", "run", "--config", "/etc/sluice/sluice.yaml",
                "--takeover", "/run/sluice/handover.sock"), Files.readAllLines(dir.resolve("args")));
        long child = newPid();
        assertEquals("upgraded: pid 1200 -> " + child + "; 10000 connections handed over in 1.23 s (longest pause 85 ms),"
                + " 0 refused\n", r.out());
        assertTrue(r.err().contains("started the new daemon (pid " + child + "): " + script + " -jar"), r::toString);
        assertTrue(r.err().contains("pid 1200 answers, handover handing-over\n"), r::toString);
        assertTrue(r.err().contains("admin API not answering"), "the dropped polls were retried: " + r);
        assertTrue(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "the new daemon outlives sluicectl");
    }

    @Test
    void configAndLogOverrideTheDefaults() throws Exception {
        Path script = launcher("echo 'out of the new daemon'; echo 'err of the new daemon' >&2; exec sleep 30");
        api.takeoverPidFile = pidFile();
        Path log = dir.resolve("new-daemon.log");
        Files.writeString(log, "an earlier line\n");
        Cli.Result r = cli.run("upgrade", "--exec", script.toString(), "--config", "/etc/sluice/next.yaml", "--log", log.toString());
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(List.of("run", "--config", "/etc/sluice/next.yaml", "--takeover", "/run/sluice/handover.sock"),
                Files.readAllLines(dir.resolve("args")));
        List<String> lines = Files.readAllLines(log);
        assertEquals("an earlier line", lines.get(0), "appended, not overwritten");
        assertTrue(lines.get(1).startsWith("--- ") && lines.get(1).endsWith(" sluicectl upgrade: " + script
                + " run --config /etc/sluice/next.yaml --takeover /run/sluice/handover.sock"), lines::toString);
        assertTrue(lines.containsAll(List.of("out of the new daemon", "err of the new daemon")), lines::toString);
    }

    @Test
    void aNewDaemonThatExitsIsAFailureAndTheOldOneKeepsServing() throws Exception {
        Path script = launcher("exit 3");
        Cli.Result r = cli.run("upgrade", "--exec", script.toString());
        assertEquals(1, r.exitCode(), r::toString);
        assertEquals("", r.out());
        assertTrue(r.err().contains("sluicectl: the new daemon (pid " + newPid() + ") exited with code 3 before taking over;"
                + " the old daemon (pid 1200) keeps serving\n"), r::toString);
    }

    @Test
    void aTimeoutLeavesTheNewDaemonRunning() throws Exception {
        Path script = launcher("exec sleep 30");
        long before = System.nanoTime();
        Cli.Result r = cli.run("upgrade", "--exec", script.toString(), "--wait-timeout", "500ms");
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(System.nanoTime() - before >= Duration.ofMillis(500).toNanos(), "it waited");
        long child = newPid();
        assertTrue(r.err().contains("sluicectl: the new daemon (pid " + child + ") has not taken over after 500ms"
                + " (--wait-timeout); last seen: pid 1200 answers, handover idle\n"), r::toString);
        assertTrue(r.err().contains("(kill " + child + ")"), r::toString);
        assertTrue(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "not killed");
    }

    @Test
    void anAbortedHandoverIsAFailureWithItsReason() throws Exception {
        Path script = launcher("exec sleep 30");
        api.takeoverPidFile = pidFile();
        api.takeoverOutcome = "aborted: the old daemon stopped answering";
        Cli.Result r = cli.run("upgrade", "--exec", script.toString());
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.err().endsWith("sluicectl: the new daemon (pid " + newPid() + ") serves, but its handover from pid 1200"
                + " ended aborted: the old daemon stopped answering\n"), r::toString);
    }

    @Test
    void jsonIsTheNewDaemonsStatus() throws Exception {
        Path script = launcher("exec sleep 30");
        api.takeoverPidFile = pidFile();
        Cli.Result r = cli.run("upgrade", "--exec", script.toString(), "-o", "json");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(api.lastServed(), r.json());
        assertEquals(newPid(), r.json().get("pid").asLong());
        assertEquals("received", r.json().at("/handover/last/role").asText());
    }

    @Test
    void waitOldWaitsForTheOldProcessToExit() throws Exception {
        Process old = new ProcessBuilder("sleep", "1").start();
        started.add(old.toHandle());
        api.pid = old.pid();
        api.takeoverPidFile = pidFile();
        Cli.Result r = cli.run("upgrade", "--exec", launcher("exec sleep 30").toString(), "--wait-old");
        assertEquals(0, r.exitCode(), r::toString);
        assertFalse(old.isAlive());
        assertTrue(r.out().endsWith("the old daemon (pid " + old.pid() + ") has exited\n"), r::toString);
        assertTrue(r.err().contains("waiting for the old daemon (pid " + old.pid() + ") to exit"), r::toString);
    }

    @Test
    void waitOldGivesUpAtTheTimeout() throws Exception {
        Process old = new ProcessBuilder("sleep", "30").start();
        started.add(old.toHandle());
        api.pid = old.pid();
        api.takeoverPidFile = pidFile();
        Cli.Result r = cli.run("upgrade", "--exec", launcher("exec sleep 30").toString(), "--wait-old", "--wait-timeout", "2s");
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.out().startsWith("upgraded: pid " + old.pid() + " -> "), r::toString);
        assertTrue(r.err().contains("sluicectl: the old daemon (pid " + old.pid() + ") is still running after 2s"), r::toString);
        assertTrue(old.isAlive());
    }

    @Test
    void noHandoverSocketIsAClearErrorAndStartsNothing() throws Exception {
        api.handoverSocket = null;
        Path script = launcher("exec sleep 30");
        Cli.Result r = cli.run("upgrade", "--exec", script.toString());
        assertEquals(1, r.exitCode(), r::toString);
        assertEquals("sluicectl: the running daemon has no handover socket: set handover.socket in its config and"
                + " restart it once\n", r.err());
        assertFalse(Files.exists(dir.resolve("args")), "nothing was started");
    }

    @Test
    void aHandoverInProgressIsNotStartedAgain() throws Exception {
        api.handoverState = "handing-over";
        Cli.Result r = cli.run("upgrade", "--exec", launcher("exec sleep 30").toString());
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.err().contains("is already in a handover (state: handing-over)"), r::toString);
        assertFalse(Files.exists(dir.resolve("args")), "nothing was started");
    }

    @Test
    void badArgumentsAreUsageErrors() throws Exception {
        Cli.Result r = cli.run("upgrade", "--wait-timeout", "soon");
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains("'soon' is not a duration"), r::toString);

        r = cli.run("upgrade", "--exec", dir.resolve("no-such-launcher").toString());
        assertEquals(2, r.exitCode(), r::toString);
        assertEquals("sluicectl: cannot start the new daemon '" + dir.resolve("no-such-launcher") + "': no such file or"
                + " directory; point --exec at the sluice launcher, e.g. /usr/bin/sluice\n", r.err());

        r = cli.run("upgrade", "--exec", launcher("exec sleep 30").toString(), "--log", dir.resolve("no/such/dir.log").toString());
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().startsWith("sluicectl: --log " + dir.resolve("no/such/dir.log") + ": cannot append to it"), r::toString);
        assertFalse(Files.exists(dir.resolve("args")), "nothing was started");
    }

    @Test
    void aDaemonWithoutHandoverSupportIsRefused() {
        api.pid = -1;
        Cli.Result r = cli.run("upgrade", "--exec", "/bin/true");
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.err().contains("older than handover support"), r::toString);
    }

    /** A launcher that records its arguments (one per line) and its pid, then runs {@code then}. */
    private Path launcher(String then) throws IOException {
        Path script = dir.resolve("sluice-next");
        Files.writeString(script, "#!/bin/bash\n"
                + "printf '%s\\n' \"$@\" > '" + dir.resolve("args") + "'\n"
                + "echo $$ > '" + dir.resolve("pid.tmp") + "' && mv '" + dir.resolve("pid.tmp") + "' '" + pidFile() + "'\n"
                + then + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    private Path pidFile() {
        return dir.resolve("pid");
    }

    /** The pid the script wrote, waited for briefly (a script that exits at once has written it already). */
    private long newPid() throws Exception {
        for (int i = 0; i < 100 && !Files.exists(pidFile()); i++) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return Long.parseLong(Files.readString(pidFile()).trim());
    }
}
