package io.sluice.command;

import io.sluice.config.AdminConfig;
import io.sluice.config.SluiceConfig;
import io.sluice.state.LocalOverrideStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What {@code sluice check} verifies beyond the YAML: the files the daemon will need at run time, as
 * the user running the check sees them. The state file must be writable (its directory must exist
 * and take a rename), else admin changes apply but do not survive a restart; the admin token must be
 * readable, and a token others can read is warned about (the daemon warns too, and still starts).
 *
 * <p>Thread ownership: none; one call on the main thread.
 */
final class NeededFiles {

    /** What was found: errors make the check fail, warnings are printed and it passes. */
    record Findings(List<String> errors, List<String> warnings) {}

    private NeededFiles() {}

    static Findings check(SluiceConfig config) {
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        String source = config.source();
        Path state = config.state().file();
        if ("local".equals(config.state().store()) && state != null) {
            String problem = LocalOverrideStore.writeProblem(state);
            if (problem != null) {
                errors.add(source + ": state.file: " + problem + "; admin changes would apply but not survive a restart");
            }
        }
        AdminConfig admin = config.admin();
        Path token = admin == null ? null : admin.tokenFile();
        if (token != null) {
            if (!Files.isReadable(token)) {
                errors.add(source + ": admin.token-file: " + token + " cannot be read by this user");
            } else {
                try {
                    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(token);
                    if (mode.contains(PosixFilePermission.GROUP_READ) || mode.contains(PosixFilePermission.OTHERS_READ)) {
                        warnings.add(source + ": admin.token-file: " + token + " is readable by "
                                + (mode.contains(PosixFilePermission.OTHERS_READ) ? "every user" : "its group")
                                + " (mode " + PosixFilePermissions.toString(mode) + "): chmod 600 " + token);
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    // No POSIX modes on this file system: nothing to warn about.
                }
            }
        }
        return new Findings(errors, warnings);
    }
}
