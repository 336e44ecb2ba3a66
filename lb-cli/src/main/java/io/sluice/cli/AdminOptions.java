package io.sluice.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The flags every command shares, mixed into {@code sluicectl} and each sub-command so they may be
 * given before or after the command name ({@code sluicectl -o json pools} = {@code sluicectl pools -o json}).
 * The value nearest the command wins, then the environment, then the default.
 */
public final class AdminOptions {
    /** The name under which commands mix these in; {@link #resolve} finds the other instances by it. */
    static final String MIXIN_NAME = "adminOptions";

    static final String DEFAULT_ADMIN = "http://127.0.0.1:9900";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** Table for humans, JSON (the API's own, pretty-printed) for scripts. */
    public enum Output { table, json }

    @Spec(Spec.Target.MIXEE)
    private CommandSpec mixee;

    @Option(names = "--admin", paramLabel = "URL",
            description = "Admin API address (default: $SLUICE_ADMIN, else " + DEFAULT_ADMIN + ").")
    private String admin;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the admin bearer token, needed by commands that change state"
                    + " (default: $SLUICE_TOKEN_FILE).")
    private Path tokenFile;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: table).")
    private Output output;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = HumanDurations.Converter.class,
            description = "Time allowed for each call to the admin API (default: 5s).")
    private Duration timeout;

    /** The effective options of the command this instance is mixed into. */
    Resolved resolve(CliContext context) {
        String a = null;
        Path t = null;
        Output o = null;
        Duration d = null;
        for (CommandSpec s = mixee; s != null; s = s.parent()) {
            CommandSpec mixin = s.mixins().get(MIXIN_NAME);
            if (mixin == null || !(mixin.userObject() instanceof AdminOptions opts)) {
                continue;
            }
            a = a != null ? a : opts.admin;
            t = t != null ? t : opts.tokenFile;
            o = o != null ? o : opts.output;
            d = d != null ? d : opts.timeout;
        }
        if (a == null) {
            a = context.env("SLUICE_ADMIN");
        }
        if (t == null && context.env("SLUICE_TOKEN_FILE") != null) {
            t = Path.of(context.env("SLUICE_TOKEN_FILE"));
        }
        return new Resolved(a == null ? DEFAULT_ADMIN : a, t, o == null ? Output.table : o,
                d == null ? DEFAULT_TIMEOUT : d);
    }

    /** @param tokenFile null when neither --token-file nor SLUICE_TOKEN_FILE is set */
    record Resolved(String admin, Path tokenFile, Output output, Duration timeout) {

        /**
         * The token for a mutating command, checked before any request is sent.
         *
         * @throws CliException exit 4 when there is no token file, it cannot be read or it is empty
         */
        String token(String command) {
            if (tokenFile == null) {
                throw new CliException(ExitCodes.AUTH, command + " changes the daemon's state and needs the admin"
                        + " token: pass --token-file FILE or set SLUICE_TOKEN_FILE");
            }
            String token;
            try {
                token = Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
            } catch (NoSuchFileException e) {
                throw new CliException(ExitCodes.AUTH, "cannot read the admin token file " + tokenFile + ": no such file");
            } catch (AccessDeniedException e) {
                throw new CliException(ExitCodes.AUTH, "cannot read the admin token file " + tokenFile + ": permission denied");
            } catch (IOException | RuntimeException e) {
                throw new CliException(ExitCodes.AUTH, "cannot read the admin token file " + tokenFile + ": "
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
            if (token.isEmpty()) {
                throw new CliException(ExitCodes.AUTH, "the admin token file " + tokenFile + " is empty");
            }
            return token;
        }
    }
}
