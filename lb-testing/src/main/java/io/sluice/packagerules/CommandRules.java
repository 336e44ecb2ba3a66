package io.sluice.packagerules;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * The rules of a program's command line (sluicectl, sluice-agent): included by its ArchitectureTest as
 * {@code @ArchTest static final ArchTests commands = ArchTests.in(CommandRules.class);}.
 *
 * <p>Immutable rules; ArchUnit's engine evaluates them on the test thread.
 */
public final class CommandRules {

    private CommandRules() {
    }

    @ArchTest
    public static final ArchRule commandsAreCallables = classes()
            .that().areAnnotatedWith(Command.class)
            .should().beAssignableTo(Callable.class)
            .because("each picocli command returns its exit code");
}
