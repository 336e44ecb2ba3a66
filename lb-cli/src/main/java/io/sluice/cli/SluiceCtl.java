package io.sluice.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code sluicectl}: the admin client of a running Sluice daemon.
 *
 * <p>A skeleton for now: the admin API it talks to arrives with the operations issue. It already
 * answers {@code --help} and {@code --version} so packaging and scripts can rely on the jar.
 */
@Command(
        name = "sluicectl",
        mixinStandardHelpOptions = true,
        versionProvider = SluiceCtl.Version.class,
        description = "Admin client of the Sluice load balancer (the admin API arrives in a later release).")
public final class SluiceCtl implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SluiceCtl()).execute(args));
    }

    /** Reads the version from the jar manifest, so it is set in one place (the pom). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SluiceCtl.class.getPackage().getImplementationVersion();
            return new String[] {"sluicectl " + (v == null ? "development build" : v)};
        }
    }
}
