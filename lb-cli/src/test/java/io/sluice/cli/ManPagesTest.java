package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The man pages the build writes to target/man (picocli-codegen, then Asciidoctor's manpage backend;
 * the parent pom's man-pages executions): {@code sluicectl.1} names every visible sub-command of the Picocli
 * model, and each has its own page.
 */
class ManPagesTest {

    @Test
    void thePageNamesEverySubcommandAndEachHasItsOwn() throws IOException {
        Path dir = Path.of("target", "man");
        Path page = dir.resolve("sluicectl.1");
        assertTrue(Files.isRegularFile(page), page + " was not generated (mvn process-classes)");
        String roff = Files.readString(page);
        assertTrue(roff.contains("\n.TH \""), "a roff man page: " + page);
        CommandLine model = SluiceCtl.commandLine(
                new CliContext(Map.of(), false, false, Clock.systemUTC(), CliContext.DEFAULT_POLL_INTERVAL));
        for (CommandLine sub : model.getSubcommands().values()) {
            if (sub.getCommandSpec().usageMessage().hidden()) {
                continue;
            }
            String name = sub.getCommandName();
            assertTrue(roff.contains(name.replace("-", "\\-")), name + " in " + page);
            Path own = dir.resolve("sluicectl-" + name + ".1");
            assertTrue(Files.isRegularFile(own), own + " was not generated");
            assertTrue(Files.readString(own).contains(".SH \"SYNOPSIS\""), own.toString());
        }
    }
}
