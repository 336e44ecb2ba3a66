package io.sluice.cli;

import io.sluice.fixture.AdminApiFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Base of the tests that run sluicectl against a fresh {@link AdminApiFixture} (a test fixture, not Sluice). */
abstract class AgainstFixture {

    @TempDir
    Path dir;

    AdminApiFixture api;
    Cli cli;

    @BeforeEach
    void startFixture() throws Exception {
        api = new AdminApiFixture();
        cli = Cli.against(api, dir);
    }

    @AfterEach
    void stopFixture() {
        api.close();
    }
}
