package io.sluice.yaml;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads a YAML file's text for {@link YamlSource}: UTF-8 only, bounded in size, every failure one
 * line-0 error in {@link Problems} instead of an IOException. Stateless; blocks on the file.
 */
public final class YamlFile {

    /** Larger than any sane config, small enough that a wrong path (a log, a disk image) fails fast. */
    public static final long MAX_FILE_BYTES = 1 << 20;

    private YamlFile() {
    }

    /**
     * @param problems where a failure is reported; its file name is how errors name the file
     * @return the text, without a leading byte-order mark; empty when it could not be read (reported)
     */
    public static Optional<String> read(Path file, Problems problems) {
        try {
            return Optional.of(text(file));
        } catch (Unreadable e) {
            problems.add(0, "", e.getMessage());
            return Optional.empty();
        }
    }

    private static String text(Path file) throws Unreadable {
        try {
            if (Files.isDirectory(file)) {
                throw new Unreadable("is a directory, not a config file");
            }
            if (Files.exists(file) && !Files.isRegularFile(file)) {
                throw new Unreadable("is not a regular file");
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new Unreadable("is larger than " + (MAX_FILE_BYTES >> 10) + " KiB; is it really the config?");
            }
            byte[] bytes = Files.readAllBytes(file);
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            // Editors on some systems write a byte-order mark; it is not part of the YAML.
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (NoSuchFileException e) {
            throw new Unreadable("cannot read: no such file");
        } catch (AccessDeniedException e) {
            throw new Unreadable("cannot read: permission denied");
        } catch (CharacterCodingException e) {
            throw new Unreadable("cannot read: not UTF-8 text");
        } catch (IOException | SecurityException e) {
            throw new Unreadable("cannot read: " + e.getMessage());
        }
    }

    /** Why the file cannot be read, in words; stops {@link #text} early. */
    private static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreadable(String message) {
            super(message, null, false, false);
        }
    }
}
