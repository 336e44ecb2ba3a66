package io.sluice.agent;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * The package rules of sluice-agent's main code (docs/architecture.md, "Package rules"). Only this
 * module's compiled main classes are read: not its tests, not other modules, not libraries.
 */
@AnalyzeClasses(packages = "io.sluice", importOptions = ArchitectureTest.MainClassesOfThisModule.class)
class ArchitectureTest {

    /** Classes from the directory (or jar) {@link SluiceAgent} was loaded from: src/main/java of lb-agent. */
    static final class MainClassesOfThisModule implements ImportOption {
        private static final String ROOT = SluiceAgent.class.getProtectionDomain().getCodeSource().getLocation().toString();

        @Override
        public boolean includes(Location location) {
            return location.asURI().toString().startsWith(ROOT);
        }
    }

    /** Every package, the root {@code io.sluice.agent} included (it would be no slice of {@code agent.(*)}). */
    @ArchTest
    static final ArchRule packagesHaveNoCycles = slices().matching("io.sluice.(**)").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule registriesKnowOnlyTheRegistrarContract = noClasses()
            .that().resideInAnyPackage("io.sluice.agent.consul..", "io.sluice.agent.zookeeper..")
            .should().dependOnClassesThat().resideInAPackage("io.sluice.agent")
            .because("the command line picks a registry; a registry implements agent.registrar.Registrar "
                    + "and never calls back into the command line");

    @ArchTest
    static final ArchRule consulDoesNotKnowZooKeeper = noClasses()
            .that().resideInAPackage("io.sluice.agent.consul..")
            .should().dependOnClassesThat().resideInAnyPackage("io.sluice.agent.zookeeper..",
                    "io.sluice.registry.zookeeper..", "org.apache.curator..", "org.apache.zookeeper..");

    @ArchTest
    static final ArchRule zooKeeperDoesNotKnowConsul = noClasses()
            .that().resideInAPackage("io.sluice.agent.zookeeper..")
            .should().dependOnClassesThat().resideInAnyPackage("io.sluice.agent.consul..", "io.sluice.registry.consul..",
                    "java.net.http..");

    @ArchTest
    static final ArchRule configAndProbesAreLeaves = noClasses()
            .that().resideInAnyPackage("io.sluice.agent.config..", "io.sluice.agent.probe..")
            .should().dependOnClassesThat().resideInAnyPackage("io.sluice.agent", "io.sluice.agent.registrar..",
                    "io.sluice.agent.consul..", "io.sluice.agent.zookeeper..")
            .because("agent.yaml and the app probes know nothing of registries, so `check` needs none");

    @ArchTest
    static final ArchRule directBackendSetupUsesNoRegistry = noClasses()
            .that().resideInAPackage("io.sluice.agent.direct..")
            .should().dependOnClassesThat().resideInAnyPackage("io.sluice.agent", "io.sluice.agent.registrar..",
                    "io.sluice.agent.consul..", "io.sluice.agent.zookeeper..", "io.sluice.registry..",
                    "org.apache.curator..", "org.apache.zookeeper..", "java.net.http..")
            .because("`direct-backend apply|remove` sets up a host's VIP and ARP settings; it runs without "
                    + "agent.yaml or a registry");

    @ArchTest
    static final ArchRule commandsAreCallables = classes()
            .that().areAnnotatedWith(Command.class)
            .should().beAssignableTo(Callable.class)
            .because("each picocli command returns its exit code");

    @ArchTest
    static final ArchRule onlyRunCommandUsesJdkInternals = noClasses()
            .that().haveNameNotMatching("io\\.sluice\\.agent\\.RunCommand(\\$.*)?")
            .should().dependOnClassesThat().resideInAnyPackage("sun..", "jdk.internal..")
            .because("sun.misc.Signal (SIGTERM) is the one unsupported JDK API we use; it stays in one class");

    @ArchTest
    static final ArchRule noUtilPackages = noClasses().should().resideInAPackage("..util..")
            .because("packages are named after concepts; a util package is a grab-bag");
}
