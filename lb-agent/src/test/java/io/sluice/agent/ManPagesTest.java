package io.sluice.agent;

import io.sluice.harness.ManPages;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The man pages of {@code sluice-agent} the build generated from its Picocli model ({@link ManPages}). */
class ManPagesTest {

    @Test
    void thePageNamesEverySubcommandAndEachHasItsOwn() throws IOException {
        ManPages.assertGenerated("sluice-agent", SluiceAgent.commandLine());
    }
}
