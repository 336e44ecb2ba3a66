package io.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every sub-command shares: the {@link AdminOptions}, a client built from them, the command
 * line's writers (so tests capture the output) and the JSON re-emission of {@code -o json}.
 * A sub-command implements {@link #run()} and returns its exit code; failures are thrown as
 * {@link CliException} and printed by {@link SluiceCtl}'s handler.
 */
abstract class AdminCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin(name = AdminOptions.MIXIN_NAME)
    AdminOptions adminOptions;

    /** jq's layout: {@code "key": value}, one array element per line, {@code []} for empty arrays. */
    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("")
                    .withArrayEmptySeparator(""))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"));

    private AdminOptions.Resolved options;
    private AdminClient client;

    @Override
    public final Integer call() {
        return run();
    }

    abstract int run();

    final CliContext context() {
        return ((RootCommand) spec.root().userObject()).context();
    }

    final AdminOptions.Resolved options() {
        if (options == null) {
            options = adminOptions.resolve(context());
        }
        return options;
    }

    final AdminClient client() {
        if (client == null) {
            client = new AdminClient(options().admin(), options().timeout());
        }
        return client;
    }

    /** The token for this (mutating) command; exit 4 before any request when there is none. */
    final String token() {
        return options().token(spec.name());
    }

    final boolean json() {
        return options().output() == AdminOptions.Output.json;
    }

    final PrintWriter out() {
        return spec.commandLine().getOut();
    }

    final PrintWriter err() {
        return spec.commandLine().getErr();
    }

    final Table table(String... headers) {
        return new Table(context().colour(), headers);
    }

    /** {@code -o json}: the API's answer as it came, pretty-printed, one document per command. */
    final void printJson(JsonNode node) {
        try {
            out().println(AdminClient.JSON.writer(PRETTY).writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        out().flush();
    }
}
