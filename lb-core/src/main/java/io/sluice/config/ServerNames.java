package io.sluice.config;

import io.sluice.yaml.YamlValue;
import java.net.IDN;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The rule for the {@code sni} of a route: an exact host name or a one-label wildcard, stored lowercase
 * and without a trailing dot, the form {@code io.sluice.route.RouteTable} expects of the client's SNI too.
 */
final class ServerNames {

    /** Labels of letters, digits and '-', 1 to 63 each, 253 characters in all (lowercase by now). */
    private static final Pattern HOSTNAME = Pattern.compile("(?=.{1,253}$)[a-z0-9-]{1,63}(\\.[a-z0-9-]{1,63})*");
    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");
    static final String EXPECTED =
            "expected a host name like chat.example.com, or *.example.com for any one label in front of example.com";

    private ServerNames() {
    }

    /**
     * {@code text} lowercased, without one trailing dot, checked.
     *
     * @throws IllegalArgumentException whose message is the complete error text for the operator
     */
    static String route(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        boolean wildcard = s.startsWith("*.");
        String host = wildcard ? s.substring(2) : s;
        if (s.length() > 253 || !HOSTNAME.matcher(host).matches()) {
            throw new IllegalArgumentException(YamlValue.quote(text) + " (" + EXPECTED + ")" + idnHint(host));
        }
        if (DIGITS_AND_DOTS.matcher(host).matches()) {
            throw new IllegalArgumentException(YamlValue.quote(text)
                    + " (clients never send an IP address as SNI; " + EXPECTED + ")");
        }
        return s;
    }

    private static String idnHint(String host) {
        if (host.chars().allMatch(c -> c < 0x80)) {
            return "";
        }
        try {
            return "; write internationalized names in their ASCII form: " + YamlValue.quote(IDN.toASCII(host));
        } catch (IllegalArgumentException e) {
            return "";
        }
    }
}
