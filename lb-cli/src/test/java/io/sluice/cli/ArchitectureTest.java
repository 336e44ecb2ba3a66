package io.sluice.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.GeneralCodingRules;
import io.sluice.packagerules.CommandRules;
import io.sluice.packagerules.CommonRules;
import io.sluice.packagerules.MainClassesOf;
import picocli.CommandLine.Command;

/**
 * The package rules of sluicectl's main code (docs/architecture.md, "Package rules"). Only this
 * module's compiled main classes are read: not its tests, not other modules, not libraries.
 */
@AnalyzeClasses(packages = "io.sluice", importOptions = ArchitectureTest.MainClassesOfThisModule.class)
class ArchitectureTest {

    /** The classes of src/main/java of this module, found through {@link SluiceCtl}. */
    static final class MainClassesOfThisModule extends MainClassesOf {
        MainClassesOfThisModule() {
            super(SluiceCtl.class);
        }
    }

    @ArchTest
    static final ArchTests common = ArchTests.in(CommonRules.class);

    @ArchTest
    static final ArchTests commands = ArchTests.in(CommandRules.class);

    @ArchTest
    static final ArchRule onlySpeaksTheAdminApi = noClasses()
            .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "org.kiwiproject..", "org.apache.curator..",
                    "org.apache.zookeeper..", "io.sluice.registry..", "io.sluice.daemon..", "io.sluice.proxy..", "io.sluice.admin..",
                    "io.sluice.state..", "io.sluice.handover..")
            .because("sluicectl is an HTTP client of the daemon's admin API: no data plane, no registry "
                    + "clients, no daemon internals");

    @ArchTest
    static final ArchRule subcommandsEndInCommand = classes()
            .that().areAnnotatedWith(Command.class).and().doNotHaveSimpleName("SluiceCtl")
            .should().haveSimpleNameEndingWith("Command");

    @ArchTest
    static final ArchRule outputGoesThroughTheCommandLinesWriters = GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS
            .because("commands print through picocli's writers, which tests capture");
}
