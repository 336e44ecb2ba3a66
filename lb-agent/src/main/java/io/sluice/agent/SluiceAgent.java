package io.sluice.agent;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code sluice-agent}: registers an app server in Consul or ZooKeeper and drains it on shutdown.
 *
 * <p>A skeleton for now: registration arrives with the discovery issue. It already answers
 * {@code --help} and {@code --version} so packaging and scripts can rely on the jar.
 */
@Command(
        name = "sluice-agent",
        mixinStandardHelpOptions = true,
        versionProvider = SluiceAgent.Version.class,
        description = "Registers this app server with the service registry Sluice reads (arrives in a later release).")
public final class SluiceAgent implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SluiceAgent()).execute(args));
    }

    /** Reads the version from the jar manifest, so it is set in one place (the pom). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SluiceAgent.class.getPackage().getImplementationVersion();
            return new String[] {"sluice-agent " + (v == null ? "development build" : v)};
        }
    }
}
