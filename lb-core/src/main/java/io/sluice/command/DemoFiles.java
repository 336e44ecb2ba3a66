package io.sluice.command;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The config a demo runs on. The operator's file as it is when it needs nothing added; else (the
 * built-in config, or one whose admin API has no token file) a copy in a private temporary
 * directory, so SIGHUP and the admin API's reload re-read a file the operator can edit and the state
 * file lands beside it, with a fresh token (mode 0600) the copy points to when it had none, so
 * sluicectl's changing commands work in the demo.
 *
 * <p>Thread ownership: none; used on the main thread before the daemon starts and after it stops.
 */
final class DemoFiles {

    static final String CONFIG = "sluice.yaml";
    static final String TOKEN = "admin.token";

    /** "admin:" alone on its line (block style), or followed by an opening brace (flow style). */
    private static final Pattern ADMIN_BLOCK = Pattern.compile("(?m)^admin:[ \\t]*(#.*)?$");
    private static final Pattern ADMIN_FLOW = Pattern.compile("(?m)^admin:[ \\t]*\\{");

    private final Path config;
    /** The temporary directory, or null when the demo runs on the operator's file. */
    private final Path directory;

    private DemoFiles(Path config, Path directory) {
        this.config = config;
        this.directory = directory;
    }

    /** The operator's own file, nothing written. */
    static DemoFiles inPlace(Path config) {
        return new DemoFiles(config, null);
    }

    /** A new private directory holding {@code yaml} as sluice.yaml, with a token added when {@code addToken}. */
    static DemoFiles copy(String yaml, boolean addToken) throws IOException {
        Path dir = Files.createTempDirectory("sluice-demo-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        String text = yaml;
        String withToken = addToken ? withTokenFile(yaml) : null;
        if (withToken != null) {
            Path token = Files.createFile(dir.resolve(TOKEN),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            Files.writeString(token, HexFormat.of().formatHex(random) + "\n", StandardCharsets.US_ASCII);
            text = withToken;
        }
        Path config = dir.resolve(CONFIG);
        Files.writeString(config, text, StandardCharsets.UTF_8);
        return new DemoFiles(config, dir);
    }

    /** {@code yaml} with {@code token-file: admin.token} in its admin section; null when it has none we can find. */
    static String withTokenFile(String yaml) {
        Matcher block = ADMIN_BLOCK.matcher(yaml);
        if (block.find()) {
            return yaml.substring(0, block.end()) + "\n  token-file: " + TOKEN + "   # written by sluice demo"
                    + yaml.substring(block.end());
        }
        Matcher flow = ADMIN_FLOW.matcher(yaml);
        if (flow.find()) {
            return yaml.substring(0, flow.end()) + " token-file: " + TOKEN + "," + yaml.substring(flow.end());
        }
        return null;
    }

    /** Removes the temporary directory and what is in it (the daemon has stopped); what cannot be removed stays. */
    void delete() {
        if (directory == null) {
            return;
        }
        try (Stream<Path> inside = Files.list(directory)) {
            for (Path f : inside.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            // A leftover temporary directory is harmless; the demo is ending anyway.
        }
    }

    boolean temporary() {
        return directory != null;
    }

    /** The temporary directory; null when the demo runs on the operator's file. */
    Path directory() {
        return directory;
    }

    Path config() {
        return config;
    }
}
