package io.sluice.packagerules;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The rules every module's main code keeps, whatever it is: included by each module's
 * ArchitectureTest as {@code @ArchTest static final ArchTests common = ArchTests.in(CommonRules.class);}
 * beside the rules of its own layering.
 *
 * <p>Immutable rules; ArchUnit's engine evaluates them on the test thread.
 */
public final class CommonRules {

    private CommonRules() {
    }

    /** Every package, a module's root package included (it would be no slice of {@code io.sluice.x.(*)}). */
    @ArchTest
    public static final ArchRule packagesHaveNoCycles = slices().matching("io.sluice.(**)").should().beFreeOfCycles()
            .because("a sub-package and its parent (discovery, discovery.consul) must not need each other either");

    @ArchTest
    public static final ArchRule noUtilPackages = noClasses().should().resideInAPackage("..util..")
            .because("packages are named after concepts; a util package is a grab-bag");
}
