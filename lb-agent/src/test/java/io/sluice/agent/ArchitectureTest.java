package io.sluice.agent;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import com.tngtech.archunit.lang.ArchRule;
import io.sluice.packagerules.CommandRules;
import io.sluice.packagerules.CommonRules;
import io.sluice.packagerules.MainClassesOf;

/**
 * The package rules of sluice-agent's main code (docs/architecture.md, "Package rules"). Only this
 * module's compiled main classes are read: not its tests, not other modules, not libraries.
 */
@AnalyzeClasses(packages = "io.sluice", importOptions = ArchitectureTest.MainClassesOfThisModule.class)
class ArchitectureTest {

    /** The classes of src/main/java of this module, found through {@link SluiceAgent}. */
    static final class MainClassesOfThisModule extends MainClassesOf {
        MainClassesOfThisModule() {
            super(SluiceAgent.class);
        }
    }

    @ArchTest
    static final ArchTests common = ArchTests.in(CommonRules.class);

    @ArchTest
    static final ArchTests commands = ArchTests.in(CommandRules.class);

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
    static final ArchRule onlyRunCommandUsesJdkInternals = noClasses()
            .that().haveNameNotMatching("io\\.sluice\\.agent\\.RunCommand(\\$.*)?")
            .should().dependOnClassesThat().resideInAnyPackage("sun..", "jdk.internal..")
            .because("sun.misc.Signal (SIGTERM) is the one unsupported JDK API we use; it stays in one class");
}
