package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.sluice.harness.Ports;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The documented exit codes 0..7, each with the message a user sees; never a stack trace. */
class ExitCodesTest extends AgainstFixture {
    @Test
    void zeroWhenAllIsWell() {
        assertEquals(0, cli.run("pools").exitCode());
        assertEquals(0, cli.run("--help").exitCode());
        Cli.Result version = cli.run("--version");
        assertEquals(0, version.exitCode());
        assertTrue(version.out().startsWith("sluicectl "), version::toString);
    }

    @Test
    void twoForUsageErrors() {
        Cli.Result noBackend = cli.run("drain", "chat");
        assertEquals(2, noBackend.exitCode(), noBackend::toString);
        assertTrue(noBackend.err().contains("expected POOL/BACKEND (e.g. chat/app-1), got 'chat'"), noBackend::toString);
        assertEquals(2, cli.run("frobnicate").exitCode());
        assertEquals(2, cli.run("weight", "chat/app-1").exitCode());
        assertEquals(2, cli.run("weight", "chat/app-1", "heavy").exitCode());
        assertEquals(2, cli.run("-o", "yaml", "pools").exitCode());
        assertEquals(2, cli.run().exitCode(), "no command");
        assertTrue(api.requests().isEmpty(), "nothing was sent");
    }

    @Test
    void twoWhenTheApiSaysBadRequest() {
        Cli.Result r = cli.run("explain", "--client", "not-an-ip");
        assertEquals(2, r.exitCode(), r::toString);
        assertEquals("sluicectl: client: 'not-an-ip' (expected an IP address)\n", r.err());
    }

    @Test
    void threeWhenTheAdminApiCannotBeReached() throws IOException {
        int closed = Ports.freePort();
        String url = "http://127.0.0.1:" + closed;
        Cli.Result r = cli.run("--admin", url, "status");
        assertEquals(3, r.exitCode(), r::toString);
        assertEquals("sluicectl: cannot reach the admin API at " + url + ": connection refused; is sluice running"
                + " with an admin: section? (set --admin or SLUICE_ADMIN)\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void sevenWhenTheAdminApiAcceptsButDoesNotAnswerInTime() throws IOException {
        try (ServerSocket silent = new ServerSocket(0)) { // accepts (backlog) but never answers: slow, not unreachable
            Cli.Result r = cli.run("--timeout", "300ms", "--admin", "127.0.0.1:" + silent.getLocalPort(), "pools");
            assertEquals(7, r.exitCode(), r::toString);
            assertTrue(r.err().contains("accepted the request but did not answer within 300ms (--timeout); a change may"
                    + " still have been applied"), r::toString);
        }
    }

    @Test
    void fourWhenTheTokenIsRefused() throws IOException {
        Path wrong = Files.writeString(dir.resolve("wrong"), "not-the-token");
        Cli.Result r = cli.run("--token-file", wrong.toString(), "drain", "chat/app-1");
        assertEquals(4, r.exitCode(), r::toString);
        assertEquals("Bearer not-the-token", api.onlyRequest().authorization());
        assertTrue(r.err().startsWith("sluicectl: the admin token was refused: check --token-file / SLUICE_TOKEN_FILE\n"),
                r::toString);
    }

    @Test
    void fourWithoutATokenFileAndNothingIsSent() {
        Cli.Result r = cli.env("SLUICE_TOKEN_FILE", null).run("drain", "chat/app-1");
        assertEquals(4, r.exitCode(), r::toString);
        assertEquals("sluicectl: drain changes the daemon's state and needs the admin token: pass --token-file FILE"
                + " or set SLUICE_TOKEN_FILE\n", r.err());
        assertEquals(4, cli.run("reload").exitCode());
        assertEquals(4, cli.run("weight", "web/web-1", "0").exitCode());
        assertTrue(api.requests().isEmpty(), "no request without a token: " + api.requests());
    }

    @Test
    void fourWhenTheTokenFileIsMissingOrEmpty() throws IOException {
        Cli.Result missing = cli.run("--token-file", dir.resolve("absent").toString(), "reload");
        assertEquals(4, missing.exitCode(), missing::toString);
        assertTrue(missing.err().contains("no such file"), missing::toString);
        Path empty = Files.writeString(dir.resolve("empty"), " \n");
        assertEquals(4, cli.run("--token-file", empty.toString(), "reload").exitCode());
        assertTrue(api.requests().isEmpty());
    }

    @Test
    void fiveForUnknownNamesWithTheProblemDetail() {
        Cli.Result pool = cli.run("backends", "nope");
        assertEquals(5, pool.exitCode(), pool::toString);
        assertEquals("sluicectl: no pool 'nope' (pools: chat, web)\n", pool.err());
        Cli.Result backend = cli.run("drain", "chat/app-9");
        assertEquals(5, backend.exitCode(), backend::toString);
        assertEquals("sluicectl: no backend 'app-9' in pool 'chat' (backends: app-1, app-2, app-3)\n", backend.err());
        assertEquals(5, cli.run("explain", "--client", "10.1.1.1", "--listener", "nope").exitCode());
    }

    @Test
    void oneWhenTheAnswerIsNotTheAdminApi() throws IOException {
        HttpServer other = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        other.createContext("/", ex -> {
            byte[] page = "<html>hello</html>".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/html");
            ex.sendResponseHeaders(ex.getRequestURI().getPath().endsWith("/status") ? 200 : 500, page.length);
            ex.getResponseBody().write(page);
            ex.close();
        });
        other.start();
        try {
            String url = "http://127.0.0.1:" + other.getAddress().getPort();
            Cli.Result html = cli.run("--admin", url, "status");
            assertEquals(1, html.exitCode(), html::toString);
            assertTrue(html.err().contains("without a JSON body; is --admin pointing at sluice's admin port?"), html::toString);
            Cli.Result error = cli.run("--admin", url, "pools");
            assertEquals(1, error.exitCode(), error::toString);
            assertEquals("sluicectl: HTTP 500 from GET " + url + "/api/v1/pools\n", error.err());
            assertFalse(error.err().contains("Exception"), error::toString);
        } finally {
            other.stop(0);
        }
    }
}
