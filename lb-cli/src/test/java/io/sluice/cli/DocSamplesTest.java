package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.fixture.AdminApiFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample output in docs/sluicectl.md is what sluicectl prints: every {@code $ sluicectl ...} line of
 * a plain fenced block is run against the admin API fixture (which speaks the daemon's vocabulary,
 * FixtureMatchesDaemonTest), one fresh fixture per block, and its stdout and stderr must equal the lines
 * below it. A {@code ...} line stands for any lines; times of day, "Ns ago" and the fixture's port
 * are compared by shape.
 * A {@code $ echo $?} line checks the exit code of the command before it.
 */
class DocSamplesTest {

    private static final Path DOC = Path.of("..", "docs", "sluicectl.md");

    /** Samples the default fixture cannot play (they need a knob a test turns), and what covers them instead. */
    private static final Map<String, String> NOT_PLAYED = Map.ofEntries(
            Map.entry("drain chat/app-1 --deadline 10m --wait 2>&1 | cat", "a draining backend losing connections: DrainWaitTest"),
            Map.entry("drain chat/app-2 --wait --wait-timeout 30s", "a drain that never ends: DrainWaitTest"),
            Map.entry("upgrade --exec /usr/bin/sluice --wait-old", "a takeover: UpgradeCommandTest, SluicectlUpgradeTest"),
            Map.entry("stick-table show chat", "the fixture serves no stick table: SluicectlStickTableTest (a real daemon)"),
            Map.entry("drain chat/app-1 --deadline 1s --close-rate 2/s --wait --fleet http://10.0.0.2:9900 2>&1 | cat", "two nodes draining: SluicectlFleetDrainTest (two real daemons)"),
            Map.entry("undrain rooms/room-1", "a drain the registry holds: SluicectlRegistryDrainTest (a real daemon and ZooKeeper)"),
            Map.entry("explain --client 127.0.0.1 --sni other.example.test", "a refused SNI: TlsRefusalExplainedTest (a real daemon)"),
            Map.entry("explain --direct --client 198.51.100.2 --client-port 40000", "a direct listener's flow: DirectCommandsTest, DirectOperationsLabTest (the kernel in a lab)"),
            Map.entry("direct", "a direct listener: DirectCommandsTest, DirectOperationsLabTest (the kernel in a lab)"),
            Map.entry("--admin http://10.0.0.1:9900 direct --compare http://10.0.0.2:9900", "two nodes' tables: DirectCommandsTest, DirectOperationsLabTest"));

    private static final Pattern CLOCK = Pattern.compile("\\d\\d:\\d\\d:\\d\\d UTC");
    private static final Pattern AGO = Pattern.compile("\\b\\d+s ago\\b");

    @TempDir
    Path dir;

    record Sample(int line, String command, List<String> expected) {}

    @Test
    void everySampleIsWhatSluicectlPrints() throws IOException {
        List<List<Sample>> blocks = blocks(Files.readAllLines(DOC));
        assertTrue(blocks.size() >= 10, "samples found: " + blocks.size());
        int played = 0;
        StringBuilder wrong = new StringBuilder();
        for (List<Sample> block : blocks) {
            try (AdminApiFixture api = new AdminApiFixture()) {
                Cli cli = Cli.against(api, dir);
                if (block.stream().anyMatch(s -> s.command().startsWith("reload") && s.expected().stream()
                        .anyMatch(l -> l.contains("errors;")))) {
                    continue; // the rejected reload: ReloadCommandTest (the fixture's knob); the valid one plays below
                }
                Cli.Result last = null;
                for (Sample s : block) {
                    if (s.command().equals("echo $?")) {
                        if (last != null && !s.expected().get(0).equals(String.valueOf(last.exitCode()))) {
                            wrong.append("docs/sluicectl.md:").append(s.line()).append(": exit ").append(last.exitCode())
                                    .append(", the doc says ").append(s.expected().get(0)).append('\n');
                        }
                        continue;
                    }
                    if (NOT_PLAYED.containsKey(s.command())) {
                        last = null;
                        continue;
                    }
                    last = cli.run(s.command().split(" +"));
                    // The fixture's port is its own; the doc shows the default admin address.
                    String actual = normalise((last.out() + last.err()).replace(api.url(), AdminOptions.DEFAULT_ADMIN));
                    String want = normalise(String.join("\n", s.expected()) + "\n");
                    if (!matches(want.lines().toList(), actual.lines().toList())) {
                        wrong.append("docs/sluicectl.md:").append(s.line()).append(": $ sluicectl ").append(s.command())
                                .append("\n--- the doc says\n").append(want).append("--- sluicectl prints\n").append(actual);
                    }
                    played++;
                }
            }
        }
        assertEquals("", wrong.toString(), "samples that are not what sluicectl prints");
        assertTrue(played >= 12, "samples played: " + played);
    }

    /** The plain fenced blocks with {@code $ } lines, as samples (a command and the lines below it). */
    private static List<List<Sample>> blocks(List<String> lines) {
        List<List<Sample>> blocks = new ArrayList<>();
        List<Sample> block = null;
        boolean fenced = false;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.startsWith("```")) {
                if (fenced && block != null && !block.isEmpty()) {
                    blocks.add(block);
                }
                // Only plain blocks hold output; ```sh and ```yaml blocks are commands to copy.
                block = !fenced && l.equals("```") ? new ArrayList<>() : null;
                fenced = !fenced;
                continue;
            }
            if (block == null) {
                continue;
            }
            if (l.startsWith("$ sluicectl ")) {
                block.add(new Sample(i + 1, l.substring("$ sluicectl ".length()).trim(), new ArrayList<>()));
            } else if (l.equals("$ echo $?")) {
                block.add(new Sample(i + 1, "echo $?", new ArrayList<>()));
            } else if (!block.isEmpty()) {
                block.get(block.size() - 1).expected().add(l);
            }
        }
        // A blank line between two commands of a block separates them; it is not output.
        for (List<Sample> b : blocks) {
            for (int i = 0; i < b.size() - 1; i++) {
                List<String> e = b.get(i).expected();
                if (!e.isEmpty() && e.get(e.size() - 1).isEmpty()) {
                    e.remove(e.size() - 1);
                }
            }
        }
        return blocks;
    }

    private static String normalise(String s) {
        StringBuilder out = new StringBuilder();
        for (String l : s.split("\n", -1)) {
            out.append(AGO.matcher(CLOCK.matcher(l.stripTrailing()).replaceAll("HH:MM:SS UTC")).replaceAll("Ns ago")).append('\n');
        }
        return out.toString().replaceAll("\n+$", "\n");
    }

    /** {@code want} with each {@code ...} line (any indent) standing for zero or more lines of {@code got}. */
    private static boolean matches(List<String> want, List<String> got) {
        if (want.isEmpty()) {
            return got.isEmpty();
        }
        if (want.get(0).strip().equals("...")) {
            for (int skip = 0; skip <= got.size(); skip++) {
                if (matches(want.subList(1, want.size()), got.subList(skip, got.size()))) {
                    return true;
                }
            }
            return false;
        }
        return !got.isEmpty() && want.get(0).equals(got.get(0)) && matches(want.subList(1, want.size()), got.subList(1, got.size()));
    }
}
