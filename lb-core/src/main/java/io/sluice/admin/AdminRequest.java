package io.sluice.admin;

import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Map;

/**
 * One admin request as the router sees it, detached from Netty buffers (the handler copies the body
 * out and releases the request before routing).
 *
 * @param path          the raw path, without the query (the problem document's {@code instance})
 * @param segments      the path's segments, percent-decoded; empty for {@code /}
 * @param params        the decoded query parameters
 * @param authorization the Authorization header, or null
 * @param body          the request body, empty if none
 * @param client        the peer address, for the audit log line of mutating calls
 */
@SuppressWarnings("ArrayRecordComponent") // bytes in transit: never compared or hashed
record AdminRequest(
        HttpMethod method,
        String path,
        List<String> segments,
        Map<String, List<String>> params,
        String authorization,
        byte[] body,
        String client) {

    /** The first value of a query parameter, or null when absent or empty ({@code ?pool=} means no filter). */
    String param(String name) {
        List<String> values = params.get(name);
        if (values == null || values.isEmpty() || values.get(0).isEmpty()) {
            return null;
        }
        return values.get(0);
    }
}
