package io.sluice.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The man pages the build writes to target/man (picocli-codegen, then Asciidoctor's manpage backend;
 * the parent pom's man-pages executions): {@code sluice-agent.1} names every visible sub-command of the Picocli
 * model, and each has its own page.
 */
class ManPagesTest {

    @Test
    void thePageNamesEverySubcommandAndEachHasItsOwn() throws IOException {
        Path dir = Path.of("target", "man");
        Path page = dir.resolve("sluice-agent.1");
        assertTrue(Files.isRegularFile(page), page + " was not generated (mvn process-classes)");
        String roff = Files.readString(page);
        assertTrue(roff.contains("\n.TH \""), "a roff man page: " + page);
        CommandLine model = SluiceAgent.commandLine();
        for (CommandLine sub : model.getSubcommands().values()) {
            if (sub.getCommandSpec().usageMessage().hidden()) {
                continue;
            }
            String name = sub.getCommandName();
            assertTrue(roff.contains(name.replace("-", "\\-")), name + " in " + page);
            Path own = dir.resolve("sluice-agent-" + name + ".1");
            assertTrue(Files.isRegularFile(own), own + " was not generated");
            assertTrue(Files.readString(own).contains(".SH \"SYNOPSIS\""), own.toString());
        }
    }
}
