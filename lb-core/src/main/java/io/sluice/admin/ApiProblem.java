package io.sluice.admin;

import io.sluice.adminapi.ProblemType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error answer of the admin API, rendered as an RFC 9457 {@link io.sluice.adminapi.Problem}
 * ({@code application/problem+json}) by {@link AdminResponse#problem}.
 *
 * <p>Thrown by the router to end a request early; it carries no stack trace because it is an
 * answer, not a fault.
 */
final class ApiProblem extends RuntimeException {

    private final ProblemType type;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, Object> extensions = new LinkedHashMap<>();

    ApiProblem(ProblemType type, String detail) {
        super(detail, null, false, false);
        this.type = type;
    }

    static ApiProblem badRequest(String detail) {
        return new ApiProblem(ProblemType.BAD_REQUEST, detail);
    }

    static ApiProblem notFound(String detail) {
        return new ApiProblem(ProblemType.NOT_FOUND, detail);
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

    ProblemType type() {
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
