package io.sluice.contracts;

import static com.tngtech.archunit.base.DescribedPredicate.and;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.GeneralCodingRules;
import io.sluice.duration.Durations;

/**
 * The package rules of lb-common's main code (docs/architecture.md, "Modules" and "Package rules").
 * Only this module's compiled main classes are read: not its tests, not other modules, not libraries.
 * The build's enforcer rule keeps Netty out of the dependencies; this keeps it out of the code.
 */
@AnalyzeClasses(packages = "io.sluice", importOptions = ArchitectureTest.MainClassesOfThisModule.class)
class ArchitectureTest {

    /** Classes from the directory (or jar) {@link Durations} was loaded from: src/main/java of lb-common. */
    static final class MainClassesOfThisModule implements ImportOption {
        private static final String ROOT = Durations.class.getProtectionDomain().getCodeSource().getLocation().toString();

        @Override
        public boolean includes(Location location) {
            return location.asURI().toString().startsWith(ROOT);
        }
    }

    @ArchTest
    static final ArchRule packagesHaveNoCycles = slices().matching("io.sluice.(**)").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule knowsNoneOfItsUsers = noClasses()
            .should().dependOnClassesThat(and(resideInAPackage("io.sluice.."), resideOutsideOfPackages(
                    "io.sluice.duration..", "io.sluice.yaml..", "io.sluice.adminapi..", "io.sluice.registration..",
                    "io.sluice.commandline..")))
            .because("the daemon, sluicectl and the agent all build on these contracts; they cannot need any of them");

    @ArchTest
    static final ArchRule noNetty = noClasses().should().dependOnClassesThat().resideInAPackage("io.netty..")
            .because("sluicectl has no Netty and the agent only the ZooKeeper client's part of it");

    @ArchTest
    static final ArchRule contractsAreIndependent = noClasses()
            .that().resideInAnyPackage("io.sluice.adminapi..", "io.sluice.registration..")
            .should().dependOnClassesThat().resideInAnyPackage("io.sluice.yaml..", "org.snakeyaml..")
            .because("sluicectl reads the admin records without YAML on its classpath");

    @ArchTest
    static final ArchRule onlyTheRegistryCodecKnowsCurator = noClasses()
            .that().resideOutsideOfPackage("io.sluice.registration..")
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.curator..", "org.apache.zookeeper..")
            .because("Curator is an optional dependency: only the programs that speak ZooKeeper have it");

    @ArchTest
    static final ArchRule outputGoesThroughCallers = GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS;

    @ArchTest
    static final ArchRule noUtilPackages = noClasses().should().resideInAPackage("..util..")
            .because("packages are named after concepts; a util package is a grab-bag");
}
