package io.sluice.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.GeneralCodingRules;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * The package rules of sluicectl's main code (docs/architecture.md, "Package rules"). Only this
 * module's compiled main classes are read: not its tests, not other modules, not libraries.
 */
@AnalyzeClasses(packages = "io.sluice", importOptions = ArchitectureTest.MainClassesOfThisModule.class)
class ArchitectureTest {

    /** Classes from the directory (or jar) {@link SluiceCtl} was loaded from: src/main/java of lb-cli. */
    static final class MainClassesOfThisModule implements ImportOption {
        private static final String ROOT = SluiceCtl.class.getProtectionDomain().getCodeSource().getLocation().toString();

        @Override
        public boolean includes(Location location) {
            return location.asURI().toString().startsWith(ROOT);
        }
    }

    @ArchTest
    static final ArchRule packagesHaveNoCycles = slices().matching("io.sluice.(**)").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule onlySpeaksTheAdminApi = noClasses()
            .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "org.kiwiproject..", "org.apache.curator..",
                    "org.apache.zookeeper..", "io.sluice.registry..", "io.sluice.daemon..", "io.sluice.proxy..", "io.sluice.admin..",
                    "io.sluice.state..", "io.sluice.handover..")
            .because("sluicectl is an HTTP client of the daemon's admin API: no data plane, no registry "
                    + "clients, no daemon internals");

    @ArchTest
    static final ArchRule commandsAreCallables = classes()
            .that().areAnnotatedWith(Command.class)
            .should().beAssignableTo(Callable.class)
            .because("each picocli command returns its exit code");

    @ArchTest
    static final ArchRule subcommandsEndInCommand = classes()
            .that().areAnnotatedWith(Command.class).and().doNotHaveSimpleName("SluiceCtl")
            .should().haveSimpleNameEndingWith("Command");

    @ArchTest
    static final ArchRule outputGoesThroughTheCommandLinesWriters = GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS
            .because("commands print through picocli's writers, which tests capture");

    @ArchTest
    static final ArchRule noUtilPackages = noClasses().should().resideInAPackage("..util..")
            .because("packages are named after concepts; a util package is a grab-bag");
}
