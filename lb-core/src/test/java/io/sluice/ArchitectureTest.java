package io.sluice;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.GeneralCodingRules;
import io.sluice.packagerules.CommonRules;
import io.sluice.packagerules.MainClassesOf;

/**
 * The package rules of the daemon's main code (docs/architecture.md, "Package rules"). Only this
 * module's compiled main classes are read: not its tests, not other modules, not libraries.
 *
 * <p>Every rule is true today and fails on one stray import; ArchUnit also fails a rule whose
 * subject matches no class, so renaming a package cannot quietly turn a rule off.
 */
@AnalyzeClasses(packages = "io.sluice", importOptions = ArchitectureTest.MainClassesOfThisModule.class)
class ArchitectureTest {

    /** The classes of src/main/java of this module, found through {@link Main}. */
    static final class MainClassesOfThisModule extends MainClassesOf {
        MainClassesOfThisModule() {
            super(Main.class);
        }
    }

    @ArchTest
    static final ArchTests common = ArchTests.in(CommonRules.class);

    /** The packages a relayed byte goes through: event-loop code, which must never block. */
    private static final String[] DATA_PATH = {"io.sluice.proxy..", "io.sluice.tls..", "io.sluice.proxyprotocol..",
        "io.sluice.prelude..", "io.sluice.listener..", "io.sluice.transport..", "io.sluice.pool..",
        "io.sluice.balance..", "io.sluice.backend..", "io.sluice.sticky..", "io.sluice.route..", "io.sluice.limit.."};

    /** The registry clients: blocking HTTP and ZooKeeper calls, which run on their own threads. */
    private static final String[] REGISTRY_CLIENTS = {"io.sluice.registry..", "org.kiwiproject..",
        "org.apache.curator..", "org.apache.zookeeper..", "java.net.http.."};

    @ArchTest
    static final ArchRule topLevelPackagesHaveNoCycles = slices().matching("io.sluice.(*)..")
            .should().beFreeOfCycles();

    @ArchTest
    static final ArchRule balancingModelIsPlainJava = classes()
            .that().resideInAnyPackage("io.sluice.backend..", "io.sluice.balance..", "io.sluice.route..",
                    "io.sluice.sticky..", "io.sluice.pool..", "io.sluice.limit..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.sluice.backend..",
                    "io.sluice.balance..", "io.sluice.route..", "io.sluice.sticky..", "io.sluice.pool..",
                    "io.sluice.limit..", "io.sluice.config..")
            .because("pools, balancers, routes and stick tables are immutable snapshots any thread reads: "
                    + "no Netty, no admin API, no relay, testable without a socket");

    @ArchTest
    static final ArchRule configKnowsNothingOfTheRunningDaemon = noClasses()
            .that().resideInAPackage("io.sluice.config..")
            .should().dependOnClassesThat().resideInAnyPackage("io.sluice.daemon..", "io.sluice.command..",
                    "io.sluice.proxy..", "io.sluice.listener..", "io.sluice.admin..", "io.sluice.handover..",
                    "io.sluice.health..", "io.sluice.discovery..", "io.sluice.state..", "io.sluice.registry..",
                    "io.sluice.direct..", "io.netty..")
            .because("config is immutable records and their binder: `sluice check` and sluicectl's "
                    + "view of a config must not need a running daemon");

    @ArchTest
    static final ArchRule preludeHandlersDoNotKnowTheRelay = noClasses()
            .that().resideInAnyPackage("io.sluice.tls..", "io.sluice.proxyprotocol..", "io.sluice.prelude..")
            .should().dependOnClassesThat().resideInAnyPackage("io.sluice.proxy..", "io.sluice.listener..",
                    "io.sluice.daemon..", "io.sluice.admin..", "io.sluice.handover..")
            .because("the relay builds the prelude handlers and listens to their events, which live beside "
                    + "them (Netty's SniCompletionEvent in its ssl package)");

    @ArchTest
    static final ArchRule metricsReadsNoHandlerInternals = noClasses()
            .that().resideInAPackage("io.sluice.metrics..")
            .should().dependOnClassesThat().resideInAnyPackage("io.sluice.proxy..", "io.sluice.tls..",
                    "io.sluice.proxyprotocol..", "io.sluice.listener..", "io.sluice.daemon..", "io.sluice.admin..")
            .because("every handler counts into metrics; gauges read what they are handed (OpenConnections)");

    @ArchTest
    static final ArchRule onlyTheCommandLineReachesTheDaemon = noClasses()
            .that().resideOutsideOfPackages("io.sluice.daemon..", "io.sluice.command..")
            .should().dependOnClassesThat().resideInAPackage("io.sluice.daemon..")
            .because("the daemon is the composition root: it hands its parts what they need, "
                    + "they never call back into it");

    @ArchTest
    static final ArchRule onlyTheEntryPointReachesTheCommandLine = noClasses()
            .that().resideOutsideOfPackages("io.sluice", "io.sluice.command..")
            .should().dependOnClassesThat().resideInAPackage("io.sluice.command..");

    @ArchTest
    static final ArchRule dataPathNeverCallsARegistry = noClasses()
            .that().resideInAnyPackage(DATA_PATH)
            .should().dependOnClassesThat().resideInAnyPackage(REGISTRY_CLIENTS)
            .because("event loops never block: Consul and ZooKeeper are read on their own threads and reach "
                    + "the data path as immutable snapshots");

    @ArchTest
    static final ArchRule dataPathNeverRunsACommand = noClasses()
            .that().resideInAnyPackage(DATA_PATH)
            .should().dependOnClassesThat().resideInAPackage("io.sluice.direct..")
            .orShould().dependOnClassesThat().belongToAnyOf(ProcessBuilder.class, Process.class)
            .because("direct routing runs nft and ip and waits for them on its own thread; the data path "
                    + "never starts or waits for a process");

    @ArchTest
    static final ArchRule directRoutingIsAControlPlaneBesideTheRelay = noClasses()
            .that().resideInAPackage("io.sluice.direct..")
            .should().dependOnClassesThat().resideInAnyPackage("io.sluice.proxy..", "io.sluice.tls..",
                    "io.sluice.proxyprotocol..", "io.sluice.prelude..", "io.sluice.listener..", "io.sluice.transport..",
                    "io.sluice.admin..", "io.sluice.handover..", "io.sluice.command..")
            .orShould().dependOnClassesThat().resideInAnyPackage(REGISTRY_CLIENTS)
            .because("the kernel forwards the direct listeners' packets: direct routing reads only config and "
                    + "the pools' snapshots (the daemon hands it a supplier), and registries reach it through them");

    @ArchTest
    static final ArchRule outputGoesThroughLoggersAndWriters = GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS
            .because("the daemon logs, and commands print through picocli's writers, which tests capture");

    @ArchTest
    static final ArchRule onlyShutdownSignalsUsesJdkInternals = noClasses()
            .that().haveNameNotMatching("io\\.sluice\\.daemon\\.ShutdownSignals(\\$.*)?")
            .should().dependOnClassesThat().resideInAnyPackage("sun..", "jdk.internal..")
            .because("sun.misc.Signal (SIGTERM, SIGHUP) is the one unsupported JDK API we use; it stays in one class");
}
