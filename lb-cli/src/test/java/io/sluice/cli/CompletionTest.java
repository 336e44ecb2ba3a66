package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code sluicectl generate-completion}: a bash/zsh script knowing every command and flag. */
class CompletionTest {

    @Test
    void generatesABashCompletionScript() {
        Cli.Result r = new Cli().run("generate-completion");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("complete -F _complete_sluicectl"), "registers the function");
        for (String word : new String[] {"drain", "undrain", "maint", "ready", "weight", "connections", "explain",
            "reload", "--wait-timeout", "--close-rate", "--token-file"}) {
            assertTrue(r.out().contains(word), word);
        }
        assertEquals("", r.err());
    }
}
