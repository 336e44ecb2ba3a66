package io.sluice.adminapi;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The admin API's JSON conventions, for the daemon that writes the records of this package and the
 * client that reads them: snake_case names, nulls written (a null field is information), unknown
 * fields ignored when reading (a newer daemon may add fields; an older sluicectl must still read it).
 */
public final class AdminJson {

    private AdminJson() {
    }

    /** A new mapper with these conventions; thread-safe once configured, so callers keep one. */
    public static ObjectMapper mapper() {
        return new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }
}
