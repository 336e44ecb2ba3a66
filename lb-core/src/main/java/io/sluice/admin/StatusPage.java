package io.sluice.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The status page (GET /): one static HTML file with inline CSS and JavaScript, read once from the
 * classpath ({@code io/sluice/admin/status.html}). It fetches /api/v1/status and /api/v1/pools
 * itself, so the server never renders HTML.
 */
final class StatusPage {

    static final String RESOURCE = "status.html";

    private final byte[] bytes;

    private StatusPage(byte[] bytes) {
        this.bytes = bytes;
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

    /** The page; shared, never modified. */
    byte[] bytes() {
        return bytes;
    }
}
