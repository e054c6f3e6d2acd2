package dev.streamlab.browser;

import static org.junit.jupiter.api.Assertions.fail;

import dev.streamlab.testing.ExternalTools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Debian Chromium driven through its chromedriver, for the player's end-to-end tests (phase 2 on;
 * phases 3 and 4 get it through phase 2's test-jar).
 *
 * <p>Both programs are found with {@link ExternalTools#require}: a developer without them sees the test skipped
 * with the install command, and under {@code CI=true} the test fails. Selenium is given both paths, so Selenium
 * Manager never runs (its downloads cannot work here, see shared/BROWSER.md).
 *
 * <p>Each instance is one browser with its own fresh profile folder (deleted by {@link #close()}), a console-error
 * collector ({@link #consoleErrors()}), screenshots into {@code target/screenshots/} and bounded, polled waits
 * ({@link #await}); there are no fixed sleeps.
 *
 * <pre>
 *   try (Browser b = Browser.open()) {
 *       b.get(server.uri().resolve("/?autoplay=1#v=sample"));
 *       double t = b.await("playback to pass 2 s", Browser.WAIT,
 *               d -> b.number("return document.getElementById('video').currentTime") >= 2 ? true : null);
 *       b.screenshot("player");
 *       assertEquals(List.of(), b.consoleErrors());
 *   }
 * </pre>
 */
public final class Browser implements AutoCloseable {
    /** The longest any one condition is waited for: generous for a noisy 2-core machine, bounded all the same. */
    public static final Duration WAIT = Duration.ofSeconds(20);
    /** Desktop size: wide enough for the player's three-column layout (from 1200 px, see css/player.css). */
    public static final int WIDTH = 1280;
    public static final int HEIGHT = 900;
    /**
     * ChromiumDriver looks for a selenium-devtools-vNNN matching the browser and warns when there is none; the
     * tests do not need one ({@link #cdp} goes through chromedriver). Held here: a Logger's level lives only as
     * long as someone references it.
     */
    private static final Logger CDP_VERSION_FINDER =
            Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");
    private static final String INSTALL = "apt-get install chromium chromium-driver"
            + " (./lab test does it for you when run as root)";

    private final ChromeDriver driver;
    private final Path profile;
    private final List<String> consoleErrors = new ArrayList<>();

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** The Chromium binary ({@code /usr/bin/chromium} on Debian); skips or fails the test when missing. */
    public static Path chromium() {
        return ExternalTools.require("chromium", INSTALL);
    }

    /** The matching chromedriver ({@code /usr/bin/chromedriver}, package chromium-driver). */
    public static Path chromedriver() {
        return ExternalTools.require("chromedriver", INSTALL);
    }

    /** Starts a headless Chromium with a {@link #WIDTH}×{@link #HEIGHT} window. */
    public static Browser open() throws IOException {
        return open(WIDTH, HEIGHT);
    }

    /**
     * Starts a headless Chromium. Headless windows do not get narrower than about 500 px: emulate a phone with
     * {@link #emulateViewport} instead.
     *
     * @throws IOException when the profile folder cannot be made
     */
    public static Browser open(int width, int height) throws IOException {
        Path chromium = chromium();
        CDP_VERSION_FINDER.setLevel(Level.SEVERE);
        Path chromedriver = chromedriver();
        Path profile = Files.createTempDirectory("streamlab-chromium-");
        try {
            ChromeOptions options = new ChromeOptions();
            options.setBinary(chromium.toFile());
            options.addArguments(
                    "--headless=new", "--no-sandbox", "--disable-gpu",
                    // Without these Chromium keeps trying to reach Google's services over the closed network.
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    // The player autoplays muted anyway; this also lets a test call play() without a click.
                    "--autoplay-policy=no-user-gesture-required",
                    "--user-data-dir=" + profile, "--window-size=" + width + "," + height);
            // The console (console.error, uncaught exceptions, failed loads) is read back through this log.
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, Level.ALL);
            options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(chromedriver.toFile())
                    .usingAnyFreePort()
                    .withSilent(true)
                    .build();
            return new Browser(new ChromeDriver(service, options), profile);
        } catch (RuntimeException | Error e) {
            deleteTree(profile);
            throw e;
        }
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** Loads a page (and waits for its load event, as WebDriver does). */
    public void get(URI uri) {
        driver.get(uri.toString());
    }

    /** Runs {@code script} (a function body: use {@code return}) in the page. */
    public Object script(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    /** A script's numeric result as a double; JavaScript numbers arrive as Long or Double, and NaN as null. */
    public double number(String script, Object... args) {
        Object v = script(script, args);
        if (v instanceof Number n) return n.doubleValue();
        if (v == null) return Double.NaN;
        throw new JavascriptException("expected a number from `" + script + "`, got " + v);
    }

    /**
     * Polls {@code condition} (every 100 ms) until it returns a non-null, non-false value, and returns that value.
     *
     * @throws AssertionError naming {@code what} when {@code timeout} passes first
     */
    public <T> T await(String what, Duration timeout, Function<WebDriver, T> condition) {
        try {
            return new WebDriverWait(driver, timeout, Duration.ofMillis(100)).until(condition);
        } catch (TimeoutException e) {
            throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what + "; " + e.getMessage(), e);
        }
    }

    /** Waits up to {@link #WAIT} for {@code script} to return true. */
    public void awaitTrue(String what, String script, Object... args) {
        await(what, WAIT, d -> Boolean.TRUE.equals(script(script, args)) ? Boolean.TRUE : null);
    }

    /**
     * Sends a Chrome DevTools Protocol command through chromedriver (no selenium-devtools-vNNN needed, so a
     * Chromium update does not break the tests).
     */
    public Map<String, Object> cdp(String command, Map<String, Object> params) {
        return driver.executeCdpCommand(command, params);
    }

    /**
     * Makes the page see a {@code width}×{@code height} CSS-pixel viewport, as a phone would ({@code mobile}:
     * the {@code <meta name="viewport">} tag applies), until {@link #clearViewport()}.
     */
    public void emulateViewport(int width, int height, double deviceScaleFactor, boolean mobile) {
        cdp("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height,
                "deviceScaleFactor", deviceScaleFactor, "mobile", mobile));
    }

    public void clearViewport() {
        cdp("Emulation.clearDeviceMetricsOverride", Map.of());
    }

    /**
     * Every console message of level SEVERE (errors, uncaught exceptions, failed requests) since this browser
     * started. Chromium hands each entry out once, so they are collected here as they are read.
     */
    public List<String> consoleErrors() {
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) consoleErrors.add(e.getMessage());
        }
        return List.copyOf(consoleErrors);
    }

    /** Forgets the errors seen so far (between tests sharing a browser). */
    public void clearConsoleErrors() {
        consoleErrors();
        consoleErrors.clear();
    }

    /** Fails if the console has shown an error since the last {@link #clearConsoleErrors()}. */
    public void assertNoConsoleErrors() {
        List<String> errors = consoleErrors();
        if (!errors.isEmpty()) fail("the browser console shows errors:\n  " + String.join("\n  ", errors));
    }

    /** Saves the viewport as {@code target/screenshots/<name>.png} (a build artifact) and returns its path. */
    public Path screenshot(String name) throws IOException {
        Path dir = Path.of("target", "screenshots");
        Files.createDirectories(dir);
        Path png = dir.resolve(name + ".png");
        Files.write(png, driver.getScreenshotAs(OutputType.BYTES));
        return png.toAbsolutePath();
    }

    /** Quits Chromium and chromedriver, then deletes the profile folder. */
    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            deleteTree(profile);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the Chromium profile " + dir, e);
        }
    }
}
