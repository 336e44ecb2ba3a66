package io.sluice.admin;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error answer of the admin API, rendered as an RFC 9457 problem document
 * ({@code application/problem+json}) by {@link AdminResponse#problem}.
 *
 * <p>Thrown by the router to end a request early; it carries no stack trace because it is an
 * answer, not a fault.
 */
final class ApiProblem extends RuntimeException {

    /** The problem types of docs/admin-api.md; {@code slug} is the last path segment of {@code type}. */
    enum Type {
        BAD_REQUEST(400, "bad-request", "Bad Request"),
        UNAUTHORIZED(401, "unauthorized", "Unauthorized"),
        NOT_FOUND(404, "not-found", "Not Found"),
        METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method Not Allowed"),
        CONTENT_TOO_LARGE(413, "content-too-large", "Content Too Large"),
        CONFIG_REJECTED(422, "config-rejected", "Config Rejected"),
        INTERNAL(500, "internal", "Internal Server Error"),
        UNAVAILABLE(503, "unavailable", "Service Unavailable");

        static final String BASE = "https://sluice.dev/problems/";

        final int status;
        final String slug;
        final String title;

        Type(int status, String slug, String title) {
            this.status = status;
            this.slug = slug;
            this.title = title;
        }

        String uri() {
            return BASE + slug;
        }
    }

    private final Type type;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, Object> extensions = new LinkedHashMap<>();

    ApiProblem(Type type, String detail) {
        super(detail, null, false, false);
        this.type = type;
    }

    static ApiProblem badRequest(String detail) {
        return new ApiProblem(Type.BAD_REQUEST, detail);
    }

    static ApiProblem notFound(String detail) {
        return new ApiProblem(Type.NOT_FOUND, detail);
    }

    /** Adds a response header (WWW-Authenticate, Allow). */
    ApiProblem header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /** Adds an extension member to the problem document (e.g. {@code errors}). */
    ApiProblem extension(String name, Object value) {
        extensions.put(name, value);
        return this;
    }

    Type type() {
        return type;
    }

    String detail() {
        return getMessage();
    }

    Map<String, String> headers() {
        return headers;
    }

    Map<String, Object> extensions() {
        return extensions;
    }
}
