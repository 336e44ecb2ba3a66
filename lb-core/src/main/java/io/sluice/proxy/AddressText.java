package io.sluice.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Socket addresses as "ip:port" text for the handover messages; literals only, never a name lookup. */
public final class AddressText {

    private AddressText() {}

    public static String of(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** @throws IllegalArgumentException if {@code text} is not an ip:port literal */
    public static InetSocketAddress parse(String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("not an ip:port: " + text);
        }
        String host = text.substring(0, colon);
        boolean literal = host.matches("[0-9.]+") || (host.indexOf(':') >= 0 && host.matches("[0-9a-zA-Z.:%_-]+"));
        if (!literal) {
            throw new IllegalArgumentException("not an address literal: " + text);
        }
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (NumberFormatException | UnknownHostException e) {
            throw new IllegalArgumentException("not an ip:port: " + text, e);
        }
    }
}
