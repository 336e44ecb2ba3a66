package io.sluice.direct;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs {@code nft} and {@code ip}: one process per call, its input written, its output read, bounded
 * in time. A {@code prefix} (such as {@code ip netns exec NAME}) runs them somewhere else: tests use
 * it to program a namespace of their own.
 *
 * <p>Blocks the calling thread: only the direct thread calls it, never an event loop.
 */
final class SystemCommand {

    /** A command that could not run, exited non-zero, or took too long; the message says which, with its stderr. */
    static final class Failed extends Exception {
        private final boolean notFound;

        Failed(String message, boolean notFound) {
            super(message);
            this.notFound = notFound;
        }

        /** The program itself is missing. */
        boolean notFound() {
            return notFound;
        }
    }

    private static final long TIMEOUT_SECONDS = 60;

    /**
     * Reads the children's output (two blocking reads per command, so not the common pool); daemon
     * threads, so they never hold the JVM up.
     */
    private static final Executor READERS = Executors.newCachedThreadPool(
            new DefaultThreadFactory("sluice-direct-output", true));

    private final List<String> prefix;

    SystemCommand(List<String> prefix) {
        this.prefix = List.copyOf(prefix);
    }

    /** Runs {@code args} with {@code input} (may be null) on stdin; returns stdout. */
    String run(List<String> args, String input) throws Failed {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(args);
        String shown = String.join(" ", args);
        Process p;
        try {
            p = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new Failed("cannot run " + args.get(0) + ": " + e.getMessage(), true);
        }
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            if (input != null) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // The process exited early; its exit code and stderr say why.
        }
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new Failed(shown + " did not finish in " + TIMEOUT_SECONDS + " s", false);
            }
            String stderr = err.get(5, TimeUnit.SECONDS).strip();
            if (p.exitValue() != 0) {
                boolean missing = p.exitValue() == 127 && stderr.contains("No such file");
                throw new Failed(shown + " failed (exit " + p.exitValue() + "): " + stderr, missing);
            }
            return out.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new Failed(shown + " interrupted", false);
        } catch (ExecutionException | TimeoutException e) {
            throw new Failed(shown + ": cannot read its output: " + e, false);
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (InputStream s = stream) {
                return new String(s.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }, READERS);
    }
}
