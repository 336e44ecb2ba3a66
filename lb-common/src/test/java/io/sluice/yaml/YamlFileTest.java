package io.sluice.yaml;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a file is part of the kit's contract: every failure is one line-0 error, never an exception. */
class YamlFileTest {

    @TempDir
    Path dir;

    private String failure(Path file) {
        Problems problems = new Problems("x.yaml");
        assertEquals(Optional.empty(), YamlFile.read(file, problems));
        assertEquals(1, problems.size());
        return problems.sorted().get(0).toString();
    }

    @Test
    void readsUtf8WithoutTheByteOrderMark() throws Exception {
        Path f = dir.resolve("a.yaml");
        Files.write(f, "\uFEFFkey: välue\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(Optional.of("key: välue\n"), YamlFile.read(f, new Problems("a.yaml")));
    }

    @Test
    void unreadableFilesAreOneErrorEach() throws Exception {
        assertEquals("x.yaml:0: cannot read: no such file", failure(dir.resolve("missing.yaml")));
        assertEquals("x.yaml:0: is a directory, not a config file", failure(dir));
        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, new byte[] {'k', ':', ' ', (byte) 0xE9});
        assertEquals("x.yaml:0: cannot read: not UTF-8 text", failure(latin1));
        Path big = dir.resolve("big.yaml");
        Files.write(big, new byte[(int) YamlFile.MAX_FILE_BYTES + 1]);
        assertEquals("x.yaml:0: is larger than 1024 KiB; is it really the config?", failure(big));
    }
}
