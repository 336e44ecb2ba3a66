package io.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.adminapi.AdminJson;
import io.sluice.adminapi.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The HTTP side of {@code sluicectl}: one call to the admin API, its answer as a JSON tree (re-emitted
 * as it came by {@code -o json}) and as the typed records of {@code io.sluice.adminapi} (read by the
 * tables), its failures as {@link CliException}s carrying the documented exit codes. Not thread-safe by
 * intent (a command makes its calls one after the other).
 */
final class AdminClient {
    /** The admin API's own JSON conventions, so the records read back as the daemon wrote them. */
    static final ObjectMapper JSON = AdminJson.mapper();

    private static final String API = "/api/v1";

    private final String base;
    private final Duration timeout;

    /** @param base the admin address as given ({@code http://host:port}, a bare {@code host:port} gets http://) */
    AdminClient(String base, Duration timeout) {
        this.base = normalise(base);
        this.timeout = timeout;
    }

    String base() {
        return base;
    }

    /** A 2xx answer's JSON; anything else becomes a {@link CliException}. */
    JsonNode get(String path, Map<String, String> query) {
        return requireSuccess(send("GET", API + path + queryString(query), null, null));
    }

    JsonNode get(String path) {
        return get(path, Map.of());
    }

    /**
     * @param body  null for none
     * @param token the bearer token (mutating calls need one)
     */
    JsonNode post(String path, ObjectNode body, String token) {
        return requireSuccess(send("POST", API + path, body, token));
    }

    /** The raw answer, for callers that handle some error statuses themselves (reload's 422). */
    Response send(String method, String pathAndQuery, ObjectNode body, String token) {
        String url = base + pathAndQuery;
        HttpURLConnection connection = open(url);
        try {
            connection.setRequestMethod(method);
            connection.setConnectTimeout(millis(timeout));
            connection.setReadTimeout(millis(timeout));
            connection.setInstanceFollowRedirects(false);
            connection.setRequestProperty("Accept", "application/json, application/problem+json");
            if (token != null) {
                connection.setRequestProperty("Authorization", "Bearer " + token);
            }
            byte[] bytes = body == null ? null : body.toString().getBytes(StandardCharsets.UTF_8);
            if (bytes != null) {
                connection.setRequestProperty("Content-Type", "application/json");
            }
            if (!"GET".equals(method)) {
                // Fixed-length streaming also stops HttpURLConnection from silently re-sending a POST.
                connection.setDoOutput(true);
                connection.setFixedLengthStreamingMode(bytes == null ? 0 : bytes.length);
            }
            try {
                connection.connect();
            } catch (SocketTimeoutException e) {
                throw unreachable("no connection within " + HumanDurations.human(timeout) + " (--timeout)");
            }
            if (!"GET".equals(method)) {
                try (OutputStream out = connection.getOutputStream()) {
                    if (bytes != null) {
                        out.write(bytes);
                    }
                }
            }
            int status = connection.getResponseCode();
            String text = readBody(status / 100 == 2 ? connection.getInputStream() : connection.getErrorStream());
            return new Response(method, url, status, parse(text), text);
        } catch (SocketTimeoutException e) {
            // Connected, then no answer: the daemon is there but slow. Not "unreachable": a change may have been applied.
            throw new CliException(ExitCodes.NO_ANSWER, "the admin API at " + base + " accepted the request but did not"
                    + " answer within " + HumanDurations.human(timeout) + " (--timeout); a change may still have been applied:"
                    + " check with 'sluicectl backends' or 'sluicectl status'");
        } catch (IOException e) {
            throw unreachable(reason(e));
        } finally {
            connection.disconnect();
        }
    }

    /**
     * The JDK's HttpURLConnection rather than java.net.http.HttpClient: the latter loads its TLS stack
     * and a selector thread even for plain http, about half the classes of a sluicectl call (the
     * start-up budget, bench/cli-startup.sh). It speaks only HTTP/1.1, which the admin server wants.
     */
    private HttpURLConnection open(String url) {
        try {
            URI uri = URI.create(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((!scheme.equals("http") && !scheme.equals("https")) || uri.getHost() == null) {
                throw new IllegalArgumentException("expected http://host:port");
            }
            return (HttpURLConnection) uri.toURL().openConnection();
        } catch (IllegalArgumentException | IOException e) {
            throw new CliException(ExitCodes.USAGE, "--admin: '" + base + "' is not an http:// URL (" + e.getMessage() + ")");
        }
    }

    private static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }

    private static String readBody(InputStream in) throws IOException {
        if (in == null) {
            return "";
        }
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private CliException unreachable(String reason) {
        return new CliException(ExitCodes.UNREACHABLE, "cannot reach the admin API at " + base + ": " + reason
                + "; is sluice running with an admin: section? (set --admin or SLUICE_ADMIN)");
    }

    /**
     * {@code json} as the admin API record {@code type}. An answer of another shape (not sluice's admin
     * API, or a daemon far newer or older) is a clear error, not a stack trace.
     *
     * @param what the call, for the error: {@code GET /status}
     */
    static <T> T read(JsonNode json, Class<T> type, String what) {
        try {
            return JSON.treeToValue(json, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new CliException(ExitCodes.FAILED, "the answer to " + what + " is not the admin API's "
                    + type.getSimpleName() + " (" + firstLine(why) + "); is --admin pointing at sluice's admin port?");
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Turns a non-2xx answer into the documented exit code and the problem's detail. */
    static JsonNode requireSuccess(Response r) {
        if (r.status() / 100 == 2) {
            if (r.json() == null) {
                throw new CliException(ExitCodes.FAILED, r.method() + " " + r.url() + " answered " + r.status()
                        + " without a JSON body; is --admin pointing at sluice's admin port?");
            }
            return r.json();
        }
        throw r.failure();
    }

    /** One answer: the status, its JSON (null when the body is not JSON) and the raw body. */
    record Response(String method, String url, int status, JsonNode json, String body) {

        /** The answer as a problem document; null when it is not JSON of that shape (a proxy's HTML page). */
        Problem problem() {
            if (json == null || !json.isObject()) {
                return null;
            }
            try {
                return JSON.treeToValue(json, Problem.class);
            } catch (JsonProcessingException | IllegalArgumentException e) {
                return null;
            }
        }

        /** The problem document's {@code detail}, else its title, else a description of the answer. */
        String detail() {
            Problem p = problem();
            if (p != null && p.detail() != null) {
                return p.detail();
            }
            if (p != null && p.title() != null) {
                return p.title() + " (HTTP " + status + " from " + method + " " + url + ")";
            }
            return "HTTP " + status + " from " + method + " " + url;
        }

        /** The problem's {@code errors} member (reload's 422), empty when absent. */
        List<String> errors() {
            Problem p = problem();
            return p == null ? List.of() : p.errors();
        }

        CliException failure() {
            return switch (status) {
                case 401 -> new CliException(ExitCodes.AUTH, List.of(
                        "the admin token was refused: check --token-file / SLUICE_TOKEN_FILE", detail()));
                case 404 -> new CliException(ExitCodes.NOT_FOUND, detail());
                case 400 -> new CliException(ExitCodes.USAGE, detail());
                default -> {
                    List<String> lines = new ArrayList<>();
                    lines.add(detail());
                    lines.addAll(errors());
                    yield new CliException(ExitCodes.FAILED, lines);
                }
            };
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** The first useful message down the cause chain ("Connection refused"), else the exception's type. */
    private static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "unknown host";
            }
            if (t instanceof ConnectException c) {
                // The OS's words ("Connection refused"), in the lower case of our messages.
                String m = c.getMessage() == null || c.getMessage().isBlank() ? "connection refused" : c.getMessage();
                return Character.toLowerCase(m.charAt(0)) + m.substring(1);
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return e instanceof ConnectException ? "connection refused" : e.getClass().getSimpleName();
    }

    private static String normalise(String base) {
        String b = base.trim();
        if (!b.contains("://")) {
            b = "http://" + b;
        }
        while (b.endsWith("/")) {
            b = b.substring(0, b.length() - 1);
        }
        return b;
    }

    /** A path segment, percent-encoded (names are config names, but a stray space must not break the URL). */
    static String segment(String s) {
        return encode(s, false);
    }

    private static String queryString(Map<String, String> query) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : new LinkedHashMap<>(query).entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            sb.append(sb.isEmpty() ? '?' : '&').append(encode(e.getKey(), true)).append('=').append(encode(e.getValue(), true));
        }
        return sb.toString();
    }

    private static String encode(String s, boolean query) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || (query && (c == ':' || c == '/' || c == ','));
            if (unreserved) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }
}
