package io.sluice.config;

import io.sluice.yaml.YamlValue;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rule for listener, pool and backend names. Names show up in logs, metrics tags and the admin API,
 * so they stay short and free of spaces and shell or URL metacharacters.
 */
final class Names {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private Names() {
    }

    static boolean isValid(String name) {
        return NAME.matcher(name).matches();
    }

    /** The value as a name by this rule, or empty (error reported) when it is not one. */
    static Optional<String> read(YamlValue value) {
        Optional<String> text = value.text();
        if (text.isPresent() && !isValid(text.get())) {
            value.error(invalidMessage(text.get()));
            return Optional.empty();
        }
        return text;
    }

    static String invalidMessage(String name) {
        return "invalid name " + YamlValue.quote(name)
                + " (expected 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit)";
    }
}
