package io.sluice.agent.probe;

import io.sluice.agent.config.CheckConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Probes the local app the way its {@link CheckConfig} says: a TCP connect, or an HTTP GET whose
 * status must be 2xx or 3xx (redirects are not followed), both within the check's timeout.
 *
 * <p>Blocking; called from the agent's scheduler thread only.
 */
public final class AppProbe {

    /** What one probe found: up or down, and a line for the check's output. */
    public record Result(boolean up, String detail) {
    }

    private final CheckConfig check;
    private final HttpClient http;

    public AppProbe(CheckConfig check) {
        this.check = check;
        this.http = check.type() == CheckConfig.Type.HTTP
                ? HttpClient.newBuilder().connectTimeout(check.timeout())
                        .followRedirects(HttpClient.Redirect.NEVER).build()
                : null;
    }

    /** Probes once. Never throws: every failure is a "down" result. */
    public Result probe() {
        String target = check.host() + ":" + check.port();
        if (check.type() == CheckConfig.Type.TCP) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(check.host(), check.port()), (int) check.timeout().toMillis());
                return new Result(true, "TCP connect to " + target + ": success");
            } catch (IOException e) {
                return new Result(false, "TCP connect to " + target + ": " + e.getMessage());
            }
        }
        String host = check.host().contains(":") ? "[" + check.host() + "]" : check.host();
        URI uri = URI.create("http://" + host + ":" + check.port() + check.path());
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri).GET().timeout(check.timeout()).build(),
                    HttpResponse.BodyHandlers.discarding());
            boolean ok = r.statusCode() >= 200 && r.statusCode() < 400;
            return new Result(ok, "HTTP GET " + uri + ": " + r.statusCode());
        } catch (IOException e) {
            return new Result(false, "HTTP GET " + uri + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(false, "HTTP GET " + uri + ": interrupted");
        }
    }
}
