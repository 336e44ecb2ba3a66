package io.sluice.harness;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * The man pages a module's build writes to {@code target/man} (picocli-codegen, then Asciidoctor's
 * manpage backend; the parent pom's man-pages executions), checked against the program's Picocli
 * model: {@code PROGRAM.1} is roff and names every visible sub-command, and each has its own
 * {@code PROGRAM-SUB.1} with a synopsis, and the page carries the build's version (as {@code --version}
 * prints it), not "development build". One check for {@code sluice}, {@code sluicectl} and
 * {@code sluice-agent}.
 */
public final class ManPages {

    private ManPages() {}

    public static void assertGenerated(String program, CommandLine model) throws IOException {
        Path dir = Path.of("target", "man");
        Path page = dir.resolve(program + ".1");
        assertTrue(Files.isRegularFile(page), page + " was not generated (mvn process-classes)");
        String roff = Files.readString(page);
        assertTrue(roff.contains("\n.TH \""), "a roff man page: " + page);
        String version = model.getCommandSpec().version()[0];
        assertFalse(roff.contains("development build"), page + " says 'development build'");
        assertTrue(roff.replace("\\-", "-").contains(version), page + " does not carry the version '" + version + "'");
        for (CommandLine sub : model.getSubcommands().values()) {
            if (sub.getCommandSpec().usageMessage().hidden()) {
                continue;
            }
            String name = sub.getCommandName();
            assertTrue(roff.contains(name.replace("-", "\\-")), name + " in " + page);
            Path own = dir.resolve(program + "-" + name + ".1");
            assertTrue(Files.isRegularFile(own), own + " was not generated");
            assertTrue(Files.readString(own).contains(".SH \"SYNOPSIS\""), own.toString());
        }
    }
}
