package io.sluice.cli;

import io.sluice.harness.ManPages;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The man pages of {@code sluicectl} the build generated from its Picocli model ({@link ManPages}). */
class ManPagesTest {

    @Test
    void thePageNamesEverySubcommandAndEachHasItsOwn() throws IOException {
        ManPages.assertGenerated("sluicectl", SluiceCtl.commandLine(
                new CliContext(Map.of(), false, false, Clock.systemUTC(), CliContext.DEFAULT_POLL_INTERVAL)));
    }
}
