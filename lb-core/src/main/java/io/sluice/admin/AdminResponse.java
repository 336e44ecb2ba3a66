package io.sluice.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.sluice.adminapi.AdminJson;
import io.sluice.adminapi.Problem;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One admin API answer before it becomes a Netty response: status, content type, body bytes and
 * extra headers. Immutable; built on the admin executor, so serialization never runs on an event loop.
 */
@SuppressWarnings("ArrayRecordComponent") // bytes in transit: never compared or hashed
record AdminResponse(HttpResponseStatus status, String contentType, byte[] body, Map<String, String> headers) {

    static final String JSON = "application/json";
    static final String PROBLEM_JSON = "application/problem+json";
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String HTML = "text/html; charset=utf-8";

    /** The admin API's JSON conventions (snake_case, nulls written), shared with sluicectl. */
    static final ObjectMapper MAPPER = AdminJson.mapper();

    static AdminResponse json(HttpResponseStatus status, Object value) {
        return new AdminResponse(status, JSON, write(value), Map.of());
    }

    static AdminResponse ok(Object value) {
        return json(HttpResponseStatus.OK, value);
    }

    static AdminResponse text(String contentType, String text) {
        return new AdminResponse(HttpResponseStatus.OK, contentType, text.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static AdminResponse html(byte[] page) {
        return new AdminResponse(HttpResponseStatus.OK, HTML, page, Map.of());
    }

    /** The RFC 9457 document: type, title, status, detail, instance, then any extension members. */
    static AdminResponse problem(ApiProblem problem, String instance) {
        Problem doc = Problem.of(problem.type(), problem.detail(), instance, problem.extensions());
        return new AdminResponse(HttpResponseStatus.valueOf(problem.type().status()), PROBLEM_JSON, write(doc),
                Map.copyOf(problem.headers()));
    }

    private static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            // Only reachable with a view holding something Jackson cannot write; the handler answers 500.
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
