package io.sluice.adminapi;

/**
 * The problem types of docs/admin-api.md: an RFC 9457 {@code type} URI, its HTTP status and title.
 * The daemon answers with them; sluicectl maps the status to its exit codes.
 */
public enum ProblemType {
    BAD_REQUEST(400, "bad-request", "Bad Request"),
    UNAUTHORIZED(401, "unauthorized", "Unauthorized"),
    NOT_FOUND(404, "not-found", "Not Found"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method Not Allowed"),
    /** The request's Host is not in {@code admin.allowed-hosts} (a DNS-rebinding page, or a name to add). */
    HOST_NOT_ALLOWED(421, "host-not-allowed", "Misdirected Request"),
    CONTENT_TOO_LARGE(413, "content-too-large", "Content Too Large"),
    CONFIG_REJECTED(422, "config-rejected", "Config Rejected"),
    INTERNAL(500, "internal", "Internal Server Error"),
    UNAVAILABLE(503, "unavailable", "Service Unavailable");

    /** Every {@code type} URI starts with this; {@link #slug()} is its last path segment. */
    public static final String BASE = "https://sluice.dev/problems/";

    private final int status;
    private final String slug;
    private final String title;

    ProblemType(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    public String uri() {
        return BASE + slug;
    }
}
