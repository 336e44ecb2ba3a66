package io.sluice.contracts;

import static com.tngtech.archunit.base.DescribedPredicate.and;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.GeneralCodingRules;
import io.sluice.packagerules.CommonRules;
import io.sluice.packagerules.MainClassesOf;
import io.sluice.duration.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The package rules of lb-common's main code (docs/architecture.md, "Modules" and "Package rules").
 * Only this module's compiled main classes are read: not its tests, not other modules, not libraries.
 * The build's enforcer rule keeps Netty out of the dependencies; this keeps it out of the code.
 *
 * <p>One rule reads source text instead, of every module and of bench/: compiled classes cannot tell an
 * import from an inline qualified name. It lives here because lb-common is the first module the build tests.
 */
@AnalyzeClasses(packages = "io.sluice", importOptions = ArchitectureTest.MainClassesOfThisModule.class)
class ArchitectureTest {

    /** The classes of src/main/java of this module, found through {@link Durations}. */
    static final class MainClassesOfThisModule extends MainClassesOf {
        MainClassesOfThisModule() {
            super(Durations.class);
        }
    }

    @ArchTest
    static final ArchTests common = ArchTests.in(CommonRules.class);

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

    /**
     * "No inline fully qualified names, use imports", in main and test code of every module: each offender
     * is listed as file:line. A clash of two simple names is the one accepted reason (see
     * {@link InlineQualifiedNames}).
     */
    @ArchTest
    static void noInlineQualifiedNames(JavaClasses unused) throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        assertTrue(Files.isDirectory(root.resolve("lb-core/src/main/java")), "project root not found from " + root);
        List<Path> sources = InlineQualifiedNames.sourcesUnder(root);
        List<String> found = InlineQualifiedNames.findIn(root, sources);
        assertTrue(found.isEmpty(), "inline fully qualified names (import them) in " + sources.size()
                + " sources:\n  " + String.join("\n  ", found));
    }
}
