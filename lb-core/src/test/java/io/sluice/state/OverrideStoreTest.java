package io.sluice.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.backend.AdminState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local override store: round trip, removal, and a damaged file that must not stop the daemon. */
class OverrideStoreTest {

    @TempDir
    Path dir;

    @Test
    void overridesSurviveReopening() {
        Path file = dir.resolve("sluice.state.json");
        OverrideStore store = LocalOverrideStore.open(file);
        Instant deadline = Instant.parse("2030-01-01T00:00:00Z");
        store.put("chat", "app-1", new AdminOverride(AdminState.DRAIN, null, deadline, 50.0));
        store.put("chat", "app-2", new AdminOverride(AdminState.READY, 25, null, null));
        OverrideStore reopened = LocalOverrideStore.open(file);
        assertEquals(new AdminOverride(AdminState.DRAIN, null, deadline, 50.0), reopened.get("chat", "app-1"));
        assertEquals(new AdminOverride(AdminState.READY, 25, null, null), reopened.get("chat", "app-2"));
        assertEquals(AdminOverride.NONE, reopened.get("chat", "app-3"));
        assertFalse(Files.exists(dir.resolve("sluice.state.json.tmp")), "no temp file left behind");
    }

    @Test
    void clearingAnOverrideRemovesIt() {
        Path file = dir.resolve("s.json");
        OverrideStore store = LocalOverrideStore.open(file);
        store.put("p", "b", new AdminOverride(AdminState.MAINT, null, null, null));
        store.put("p", "b", AdminOverride.NONE);
        assertTrue(LocalOverrideStore.open(file).all().isEmpty());
    }

    @Test
    void aDamagedFileIsIgnoredNotFatal() throws Exception {
        Path file = dir.resolve("broken.json");
        Files.writeString(file, "{\"overrides\": {\"p/b\": {\"admin\": \"sideways\"");
        OverrideStore store = LocalOverrideStore.open(file);
        assertTrue(store.all().isEmpty());
        store.put("p", "b", new AdminOverride(AdminState.DRAIN, null, null, null));
        assertEquals(AdminState.DRAIN, LocalOverrideStore.open(file).get("p", "b").admin(), "rewritten whole");
    }

    @Test
    void withoutAFileItIsMemoryOnly() {
        OverrideStore store = LocalOverrideStore.open(null);
        store.put("p", "b", new AdminOverride(AdminState.DRAIN, null, null, null));
        assertEquals(AdminState.DRAIN, store.get("p", "b").admin());
    }
}
