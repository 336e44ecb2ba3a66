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
 * The files a demo runs on, in a private temporary directory: a copy of its config (so SIGHUP and
 * the admin API's reload re-read a file the operator can edit, and the state file lands beside it),
 * and, when the config's admin section has no token file, a fresh token (mode 0600) the copy points
 * to, so sluicectl's changing commands work in the demo.
 *
 * <p>Thread ownership: none; used once on the main thread before the daemon starts.
 */
final class DemoFiles {

    static final String CONFIG = "sluice.yaml";
    static final String TOKEN = "admin.token";

    /** {@code admin:} alone on its line (block style) or {@code admin: {} (flow style). */
    private static final Pattern ADMIN_BLOCK = Pattern.compile("(?m)^admin:[ \\t]*(#.*)?$");
    private static final Pattern ADMIN_FLOW = Pattern.compile("(?m)^admin:[ \\t]*\\{");
    private static final Pattern TOKEN_KEY = Pattern.compile("(?m)^[ \\t]*[^#\\n]*token-file:");

    private final Path directory;

    private DemoFiles(Path directory) {
        this.directory = directory;
    }

    /** A new private directory holding {@code yaml} as sluice.yaml, with a token when it had none. */
    static DemoFiles write(String yaml) throws IOException {
        Path dir = Files.createTempDirectory("sluice-demo-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        DemoFiles files = new DemoFiles(dir);
        String text = yaml;
        if (!TOKEN_KEY.matcher(yaml).find()) {
            String withToken = withTokenFile(yaml);
            if (withToken != null) {
                Path token = Files.createFile(dir.resolve(TOKEN),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                byte[] random = new byte[24];
                new SecureRandom().nextBytes(random);
                Files.writeString(token, HexFormat.of().formatHex(random) + "\n", StandardCharsets.US_ASCII);
                text = withToken;
            }
        }
        Files.writeString(files.config(), text, StandardCharsets.UTF_8);
        return files;
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

    /** Removes the directory and what is in it (the daemon has stopped); what cannot be removed stays. */
    void delete() {
        try (Stream<Path> inside = Files.list(directory)) {
            for (Path f : inside.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            // A leftover temporary directory is harmless; the demo is ending anyway.
        }
    }

    Path directory() {
        return directory;
    }

    Path config() {
        return directory.resolve(CONFIG);
    }

    /** The token file the demo wrote, or null when the config brought its own (or has no admin section). */
    Path token() {
        Path t = directory.resolve(TOKEN);
        return Files.exists(t) ? t : null;
    }
}
