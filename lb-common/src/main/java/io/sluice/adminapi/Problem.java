package io.sluice.adminapi;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An error answer of the admin API, an RFC 9457 problem document ({@code application/problem+json}):
 * {@code type}, {@code title}, {@code status}, {@code detail}, {@code instance}, then extension members
 * in the order they were added ({@code errors} of a rejected reload; {@code ready} and {@code details}
 * of a failing /readyz). The daemon writes it, sluicectl reads it.
 *
 * <p>Immutable once built or read (Jackson fills the extensions while reading, before anyone sees it).
 */
@JsonPropertyOrder({"type", "title", "status", "detail", "instance"})
public final class Problem {

    private final String type;
    private final String title;
    private final int status;
    private final String detail;
    private final String instance;
    private final Map<String, Object> extensions = new LinkedHashMap<>();

    @JsonCreator
    public Problem(@JsonProperty("type") String type, @JsonProperty("title") String title,
            @JsonProperty("status") int status, @JsonProperty("detail") String detail,
            @JsonProperty("instance") String instance) {
        this.type = type;
        this.title = title;
        this.status = status;
        this.detail = detail;
        this.instance = instance;
    }

    /** The document for {@code type}; an extension named like a standard member is left out. */
    public static Problem of(ProblemType type, String detail, String instance, Map<String, Object> extensions) {
        Problem p = new Problem(type.uri(), type.title(), type.status(), detail, instance);
        extensions.forEach(p::extension);
        return p;
    }

    @JsonProperty("type")
    public String type() {
        return type;
    }

    @JsonProperty("title")
    public String title() {
        return title;
    }

    @JsonProperty("status")
    public int status() {
        return status;
    }

    @JsonProperty("detail")
    public String detail() {
        return detail;
    }

    @JsonProperty("instance")
    public String instance() {
        return instance;
    }

    /** The extension members, in document order. */
    @JsonAnyGetter
    public Map<String, Object> extensions() {
        return Collections.unmodifiableMap(extensions);
    }

    /** The {@code errors} extension (a rejected reload's config errors, {@code file:line: key: message}); empty when absent. */
    @JsonIgnore
    public List<String> errors() {
        List<String> errors = new ArrayList<>();
        if (extensions.get("errors") instanceof List<?> list) {
            list.forEach(e -> errors.add(String.valueOf(e)));
        }
        return errors;
    }

    @JsonAnySetter
    private void extension(String name, Object value) {
        if (!List.of("type", "title", "status", "detail", "instance").contains(name)) {
            extensions.putIfAbsent(name, value);
        }
    }
}
