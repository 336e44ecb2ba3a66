package io.sluice.admin;

import io.sluice.adminapi.PoolView;
import io.sluice.adminapi.StatusView;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * The status page (GET /): one HTML file with inline CSS and JavaScript, read once from the
 * classpath ({@code io/sluice/admin/status.html}). Each GET fills in the listeners and pools
 * ({@link StatusTables}) from the API's own records, so the page is useful before (or without) its
 * script, which then polls /api/v1/status, /api/v1/pools and /api/v1/history and re-renders them.
 *
 * <p>Immutable; {@link #render} runs on the admin server's threads.
 */
final class StatusPage {

    static final String RESOURCE = "status.html";
    static final String LISTENERS_MARK = "<!--server-rendered-listeners-->";
    static final String POOLS_MARK = "<!--server-rendered-pools-->";

    private final String template;

    private StatusPage(byte[] bytes) {
        this.template = new String(bytes, StandardCharsets.UTF_8);
        if (!template.contains(LISTENERS_MARK) || !template.contains(POOLS_MARK)) {
            throw new IllegalStateException("io/sluice/admin/" + RESOURCE + " lacks its server-rendered marks");
        }
    }

    static StatusPage load() {
        try (InputStream in = StatusPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("io/sluice/admin/" + RESOURCE + " is missing from the classpath");
            }
            return new StatusPage(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read io/sluice/admin/" + RESOURCE, e);
        }
    }

    /** The page with the current listeners and pools in place. */
    byte[] render(StatusView status, List<PoolView> pools) {
        return template.replace(LISTENERS_MARK, StatusTables.listeners(status))
                .replace(POOLS_MARK, StatusTables.pools(pools, Instant.now()))
                .getBytes(StandardCharsets.UTF_8);
    }
}
