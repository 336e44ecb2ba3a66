package io.sluice.registry;

import static com.tngtech.archunit.base.DescribedPredicate.and;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.GeneralCodingRules;
import io.sluice.packagerules.CommonRules;
import io.sluice.packagerules.MainClassesOf;

/**
 * The package rules of the registry client layer's main code (docs/architecture.md, "Package
 * rules"). Only this module's compiled main classes are read: not its tests, not other modules, not
 * libraries.
 */
@AnalyzeClasses(packages = "io.sluice", importOptions = ArchitectureTest.MainClassesOfThisModule.class)
class ArchitectureTest {

    /** The classes of src/main/java of this module, found through {@link Backoff}. */
    static final class MainClassesOfThisModule extends MainClassesOf {
        MainClassesOfThisModule() {
            super(Backoff.class);
        }
    }

    @ArchTest
    static final ArchTests common = ArchTests.in(CommonRules.class);

    @ArchTest
    static final ArchRule knowsNoneOfItsUsers = noClasses()
            .should().dependOnClassesThat(and(resideInAPackage("io.sluice.."), resideOutsideOfPackage("io.sluice.registry..")))
            .because("the daemon and the agent both build on this layer; it cannot need either");

    @ArchTest
    static final ArchRule noNetty = noClasses().should().dependOnClassesThat().resideInAPackage("io.netty..")
            .because("the agent ships without Netty's transports; this layer must not pull them in");

    @ArchTest
    static final ArchRule consulDoesNotKnowZooKeeper = noClasses()
            .that().resideInAPackage("io.sluice.registry.consul..")
            .should().dependOnClassesThat().resideInAnyPackage("io.sluice.registry.zookeeper..", "org.apache.curator..",
                    "org.apache.zookeeper..");

    @ArchTest
    static final ArchRule zooKeeperDoesNotKnowConsul = noClasses()
            .that().resideInAPackage("io.sluice.registry.zookeeper..")
            .should().dependOnClassesThat().resideInAnyPackage("io.sluice.registry.consul..", "java.net.http..");

    @ArchTest
    static final ArchRule outputGoesThroughLoggers = GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS;
}
