package io.sluice.command;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code sluice version}: the version, Java runtime and socket transport in one line each. */
@Command(name = "version", description = "Print the version, the Java runtime and the transport.")
final class VersionCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        out.println("sluice " + SluiceCommand.Version.versionString());
        out.println("java " + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vendor") + ")");
        out.println("io_uring " + (IoUring.isAvailable() ? "available (opt-in: -Dsluice.transport=io_uring)" : "unavailable"));
        out.println("epoll " + (Epoll.isAvailable() ? "available" : "unavailable (NIO fallback)"));
        return 0;
    }
}
