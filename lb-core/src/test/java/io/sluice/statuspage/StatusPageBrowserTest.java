package io.sluice.statuspage;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.adminapi.BackendView;
import io.sluice.harness.Clients;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The status page (GET / on the admin listener) in a real headless Chromium driven by Selenium:
 * it loads the daemon's state, shows each backend's row, and its Drain / Ready buttons change the
 * daemon's state with the admin token the page asks for once (prompt) and keeps in sessionStorage.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver} (.ci/run installs them); skipped
 * where either is missing, so a build without a browser stays green. A screenshot of each test's
 * last state is left in {@code target/} for humans.
 */
class StatusPageBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String TOKEN = "s3cret-admin-token";
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private TestBackend a;
    private TestBackend b;
    private RunningDaemon daemon;
    private ChromeDriverService service;
    private WebDriver driver;
    private String testName;

    @BeforeAll
    static void needsABrowser() {
        assumeTrue(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing (apt-get install chromium): status page browser test skipped");
        assumeTrue(Files.isExecutable(CHROMEDRIVER),
                CHROMEDRIVER + " is missing (apt-get install chromium-driver): status page browser test skipped");
    }

    @BeforeEach
    void start(TestInfo info) throws Exception {
        testName = info.getTestMethod().map(m -> m.getName()).orElse("test");
        a = TestBackend.namedEcho("a");
        b = TestBackend.namedEcho("b");
        Path tokenFile = dir.resolve("admin.token");
        Files.writeString(tokenFile, TOKEN + "\n");
        daemon = RunningDaemon.start(TestConfigs.builder().backend(a).backend(b).admin(tokenFile));

        service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(dir.resolve("chromedriver.log").toFile())
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1600,900",
                "--user-data-dir=" + Files.createDirectory(dir.resolve("chromium-profile")));
        // Leave the token prompt open for the test to answer (the default would dismiss it).
        options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
    }

    @AfterEach
    void stop() {
        try {
            if (driver != null) {
                screenshot();
            }
        } finally {
            try {
                if (driver != null) {
                    driver.quit();
                }
            } finally {
                if (service != null) {
                    service.stop();
                }
                if (daemon != null) {
                    daemon.close();
                }
                if (a != null) {
                    a.close();
                }
                if (b != null) {
                    b.close();
                }
            }
        }
    }

    @Test
    void showsBothBackendsAndDrainsOneWithTheToken() {
        open();
        for (String name : List.of("main/a", "main/b")) {
            WebElement row = row(name);
            assertEquals("up", row.getAttribute("data-state"), name);
            assertEquals("ready", row.getAttribute("data-admin"), name);
            assertEquals("up", row.getAttribute("data-health"), name);
        }
        InetSocketAddress aAddress = a.address();
        assertTrue(row("main/a").getText().contains("127.0.0.1:" + aAddress.getPort()), row("main/a").getText());
        assertEquals("development build", driver.findElement(By.id("version")).getText());
        assertEquals(1, driver.findElements(By.cssSelector("tr[data-listener='main']")).size(), "the listener row");

        button("drain-btn", "main/a").click();
        Alert prompt = new WebDriverWait(driver, WAIT).until(ExpectedConditions.alertIsPresent());
        assertTrue(prompt.getText().contains("drain main/a"), prompt.getText());
        prompt.sendKeys(TOKEN);
        prompt.accept();

        awaitRowState("main/a", "drain");
        await().atMost(WAIT).until(() -> admin("a").equals("drain"));
        assertEquals("admin api", backend("a").cause());
        assertEquals("ready", admin("b"), "the other backend is untouched");
        assertEquals("up", row("main/b").getAttribute("data-state"));
        WebElement message = messageBox();
        assertEquals("ok", message.getAttribute("data-kind"), message.getText());
        assertTrue(message.getText().contains("drain main/a: now up, drain, weight 100/0"), message.getText());

        // The token was kept for this tab: Ready puts it back without asking again.
        button("ready-btn", "main/a").click();
        awaitRowState("main/a", "up");
        assertNoPrompt();
        await().atMost(WAIT).until(() -> admin("a").equals("ready"));

        // And Maint, also without a prompt.
        button("maint-btn", "main/b").click();
        awaitRowState("main/b", "maint");
        assertNoPrompt();
        await().atMost(WAIT).until(() -> admin("b").equals("maint"));
    }

    @Test
    void aWrongTokenShowsAnErrorAndChangesNothing() {
        open();
        button("drain-btn", "main/a").click();
        Alert prompt = new WebDriverWait(driver, WAIT).until(ExpectedConditions.alertIsPresent());
        prompt.sendKeys("not-the-token");
        prompt.accept();

        WebElement message = new WebDriverWait(driver, WAIT).until(d -> {
            WebElement m = messageBox();
            return "error".equals(m.getAttribute("data-kind")) && m.isDisplayed() ? m : null;
        });
        String text = message.getText();
        assertTrue(text.contains("drain main/a failed"), text);
        assertTrue(text.contains("Unauthorized"), text);
        assertEquals("ready", admin("a"), "a refused call changes nothing");
        assertEquals("ready", admin("b"));
        // A refresh later the row still shows it up and ready.
        sleep(2500);
        assertEquals("up", row("main/a").getAttribute("data-state"));
        assertEquals("ready", row("main/a").getAttribute("data-admin"));

        // The refused token was forgotten: the next click asks again, and the right token works.
        button("drain-btn", "main/a").click();
        prompt = new WebDriverWait(driver, WAIT).until(ExpectedConditions.alertIsPresent());
        prompt.sendKeys(TOKEN);
        prompt.accept();
        awaitRowState("main/a", "drain");
        await().atMost(WAIT).until(() -> admin("a").equals("drain"));
    }

    @Test
    void cancellingThePromptSendsNothing() {
        open();
        button("drain-btn", "main/b").click();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.alertIsPresent()).dismiss();
        WebElement message = new WebDriverWait(driver, WAIT).until(d -> {
            WebElement m = messageBox();
            return m.isDisplayed() ? m : null;
        });
        assertEquals("error", message.getAttribute("data-kind"));
        assertTrue(message.getText().contains("drain main/b cancelled: no token given"), message.getText());
        assertEquals("ready", admin("b"));
    }

    /**
     * With traffic on backend a and an operator's drain with a reason and a deadline on b: at 1280
     * and at 800 px the page is no wider than the window, every actions column is inside it, the
     * charts have points, the drain shows who and why and its deadline counts down; a screenshot at
     * each width is as wide as the window.
     */
    @Test
    void fitsTheWindowWithChartsAndDrainsAt1280And800() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Socket s = Clients.connectTo(daemon.address(), "a", 20);
                assertTrue(s != null, "a connection reaches a");
                s.getOutputStream().write("hello through the balancer\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("hello through the balancer", Clients.readLine(s));
                held.add(s);
            }
            HttpResponse<String> drained = post("/api/v1/pools/main/backends/b/drain",
                    "{\"deadline\": \"10m\", \"reason\": \"kernel upgrade\"}");
            assertEquals(200, drained.statusCode(), drained.body());
            open();
            // The history is sampled every 5 s: two rates need three samples.
            new WebDriverWait(driver, Duration.ofSeconds(40)).until(d -> points("main/a") >= 2);

            WebElement drain = row("main/b").findElement(By.cssSelector("div.drain[data-drain='operator']"));
            assertTrue(drain.getText().contains("drain by admin api — “kernel upgrade”"), drain.getText());
            assertTrue(row("main/b").findElements(By.cssSelector("div.drain[data-drain='registry']")).isEmpty());
            WebElement countdown = drain.findElement(By.cssSelector("[data-countdown]"));
            String first = countdown.getText();
            assertTrue(first.startsWith("in 9m") || first.startsWith("in 10m"), first);
            new WebDriverWait(driver, WAIT).until(d -> !countdown.getText().equals(first));
            assertTrue(row("main/a").getText().contains("100/100"), "weight as sluicectl shows it: " + row("main/a").getText());
            assertTrue(row("main/b").getText().contains("100/0"), row("main/b").getText());

            for (int width : new int[] {1280, 800}) {
                driver.manage().window().setSize(new Dimension(width, 900));
                new WebDriverWait(driver, WAIT).until(d -> viewportWidth() <= width);
                long viewport = viewportWidth();
                long scroll = ((Number) js("return document.documentElement.scrollWidth")).longValue();
                assertTrue(scroll <= viewport, width + " px: page " + scroll + " px wide in a " + viewport + " px viewport");
                for (WebElement actions : driver.findElements(By.cssSelector("tr.backend td.actions"))) {
                    Rectangle r = actions.getRect();
                    assertTrue(r.getX() >= 0 && r.getX() + r.getWidth() <= viewport,
                            width + " px: actions column at " + r.getX() + ".." + (r.getX() + r.getWidth()) + " beyond " + viewport);
                    for (WebElement button : actions.findElements(By.tagName("button"))) {
                        Rectangle br = button.getRect();
                        assertTrue(br.getX() + br.getWidth() <= viewport, width + " px: button " + button.getText() + " cut off");
                    }
                }
                assertTrue(points("main/a") >= 2, "chart drawn at " + width);
                BufferedImage shot = ImageIO.read(new ByteArrayInputStream(((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES)));
                double ratio = ((Number) js("return window.devicePixelRatio")).doubleValue();
                long innerWidth = ((Number) js("return window.innerWidth")).longValue();
                assertEquals(Math.round(innerWidth * ratio), shot.getWidth(), "the screenshot at " + width + " px is the window");
                // Something was drawn in the chart of backend a: pixels of the connections line's colour.
                Rectangle chart = row("main/a").findElement(By.cssSelector("svg.chart")).getRect();
                assertTrue(hasBlue(shot, chart, ratio), "the connections line of main/a is on screen at " + width);
                Path target = Path.of("target", "statuspage");
                Files.createDirectories(target);
                ImageIO.write(shot, "png", target.resolve("width-" + width + ".png").toFile());
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    private long viewportWidth() {
        return ((Number) js("return document.documentElement.clientWidth")).longValue();
    }

    /** Samples in backend {@code key}'s chart. */
    private int points(String key) {
        String n = row(key).findElement(By.cssSelector("svg.chart")).getAttribute("data-points");
        return n == null ? 0 : Integer.parseInt(n);
    }

    /**
     * Whether some pixel in {@code area} (CSS pixels) is clearly blue (the connections line, #2b6cb0,
     * anti-aliased into the row's green, yellow or grey background, none of which is blue).
     */
    private static boolean hasBlue(BufferedImage shot, Rectangle area, double ratio) {
        int x0 = (int) (area.getX() * ratio);
        int y0 = (int) (area.getY() * ratio);
        int x1 = Math.min(shot.getWidth(), (int) ((area.getX() + area.getWidth()) * ratio));
        int y1 = Math.min(shot.getHeight(), (int) ((area.getY() + area.getHeight()) * ratio));
        for (int y = Math.max(0, y0); y < y1; y++) {
            for (int x = Math.max(0, x0); x < x1; x++) {
                int p = shot.getRGB(x, y);
                if ((p & 0xff) - (p >> 16 & 0xff) > 50) {
                    return true;
                }
            }
        }
        return false;
    }

    private HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        InetSocketAddress admin = daemon.daemon().adminAddress();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + path))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .timeout(WAIT).POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private void open() {
        InetSocketAddress admin = daemon.daemon().adminAddress();
        driver.get("http://127.0.0.1:" + admin.getPort() + "/");
        new WebDriverWait(driver, WAIT).until(
                ExpectedConditions.presenceOfElementLocated(By.cssSelector("body[data-loaded='true']")));
        assertEquals("Sluice status", driver.getTitle());
    }

    private WebElement row(String key) {
        return new WebDriverWait(driver, WAIT).until(
                ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-backend='" + key + "']")));
    }

    private WebElement button(String cssClass, String key) {
        return new WebDriverWait(driver, WAIT).until(ExpectedConditions.elementToBeClickable(
                By.cssSelector("button." + cssClass + "[data-backend='" + key + "']")));
    }

    private WebElement messageBox() {
        return driver.findElement(By.id("message"));
    }

    private void awaitRowState(String key, String state) {
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.attributeToBe(
                By.cssSelector("tr[data-backend='" + key + "']"), "data-state", state));
    }

    private void assertNoPrompt() {
        try {
            Alert unexpected = driver.switchTo().alert();
            String text = unexpected.getText();
            unexpected.dismiss();
            throw new AssertionError("the page asked for the token again: " + text);
        } catch (NoAlertPresentException expected) {
            // the token from sessionStorage was used
        }
    }

    /** The daemon's own view of backend {@code name} in pool main. */
    private BackendView backend(String name) {
        return daemon.daemon().admin().pool("main").backends().stream()
                .filter(v -> v.name().equals(name)).findFirst().orElseThrow();
    }

    private String admin(String name) {
        return backend(name).admin();
    }

    private void screenshot() {
        try {
            dismissAnyPrompt();
            Path target = Path.of("target", "statuspage");
            Files.createDirectories(target);
            File png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
            Files.copy(png.toPath(), target.resolve(testName + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            System.err.println("status page screenshot failed: " + e);
        }
    }

    private void dismissAnyPrompt() {
        try {
            driver.switchTo().alert().dismiss();
        } catch (NoAlertPresentException ignored) {
            // none open
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
