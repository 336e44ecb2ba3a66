package io.sluice.statuspage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page as a client that runs no script gets it (curl, a text browser, a page whose
 * script failed): the server has already filled in every backend's row, with its state, weight as
 * sluicectl shows it, the operator's drain with its reason, and the action buttons.
 */
class StatusPageWithoutScriptTest {

    private static final String TOKEN = "s3cret-admin-token";

    @TempDir
    Path dir;

    @Test
    void theBackendRowsAreInTheHtmlAsServed() throws Exception {
        Path tokenFile = dir.resolve("admin.token");
        Files.writeString(tokenFile, TOKEN + "\n");
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(a).backend(b).admin(tokenFile))) {
            InetSocketAddress admin = daemon.daemon().adminAddress();
            String base = "http://127.0.0.1:" + admin.getPort();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> drained = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/pools/main/backends/b/drain"))
                    .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"reason\": \"disk <swap>\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, drained.statusCode(), drained.body());

            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/")).timeout(Duration.ofSeconds(10))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            String html = page.body();
            assertFalse(html.contains("<!--server-rendered-"), "the marks are filled in");
            assertTrue(html.contains("<tr data-listener=\"main\">"), "the listener row");
            String rowA = row(html, "main/a");
            assertTrue(rowA.contains("data-state=\"up\""), rowA);
            assertTrue(rowA.contains("127.0.0.1:" + a.address().getPort()), rowA);
            assertTrue(rowA.contains("<td>100/100</td>"), "weight as sluicectl shows it: " + rowA);
            assertTrue(rowA.contains("<td class=\"actions\">") && rowA.contains("data-action=\"drain\""), rowA);
            String rowB = row(html, "main/b");
            assertTrue(rowB.contains("data-state=\"drain\""), rowB);
            assertTrue(rowB.contains("<td>100/0</td>"), rowB);
            // The reason is the operator's text: escaped, never markup.
            assertTrue(rowB.contains("data-drain=\"operator\"") && rowB.contains("drain by admin api — “disk &lt;swap&gt;”"), rowB);
        }
    }

    private static String row(String html, String backend) {
        Matcher m = Pattern.compile("<tr class=\"backend\" data-backend=\"" + Pattern.quote(backend) + "\".*?</tr>", Pattern.DOTALL)
                .matcher(html);
        assertTrue(m.find(), "a server-rendered row for " + backend);
        return m.group();
    }
}
