// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

/**
 * One tab of a {@link Chromium}: navigate, evaluate JavaScript (promises awaited), wait for a
 * condition inside the page (the page polls; nothing sleeps here), capture a PNG.
 */
public final class BrowserPage {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Chromium browser;
  private final String session;
  private int width;
  private int height;

  BrowserPage(Chromium browser, String session) {
    this.browser = browser;
    this.session = session;
  }

  void resize(int width, int height) {
    this.width = width;
    this.height = height;
    ObjectNode p =
        JSON.createObjectNode()
            .put("width", width)
            .put("height", height)
            .put("deviceScaleFactor", 1)
            .put("mobile", false);
    browser.send(session, "Emulation.setDeviceMetricsOverride", p);
  }

  /** Opens {@code url} and waits until its document has loaded ({@code readyState} complete). */
  public BrowserPage open(URI url, Duration timeout) {
    JsonNode nav =
        browser.send(session, "Page.navigate", JSON.createObjectNode().put("url", url.toString()));
    if (nav.hasNonNull("errorText") && !nav.get("errorText").asText().isEmpty()) {
      throw new IllegalStateException("cannot open " + url + ": " + nav.get("errorText").asText());
    }
    waitFor("document.readyState === 'complete' && location.href !== 'about:blank'", timeout);
    return this;
  }

  /** Evaluates {@code expression} in the page, awaiting a promise; its value as JSON. */
  public JsonNode evaluate(String expression) {
    ObjectNode p =
        JSON.createObjectNode()
            .put("expression", expression)
            .put("awaitPromise", true)
            .put("returnByValue", true);
    JsonNode result = browser.send(session, "Runtime.evaluate", p);
    if (result.has("exceptionDetails")) {
      JsonNode d = result.get("exceptionDetails");
      String text = d.path("exception").path("description").asText(d.path("text").asText());
      throw new IllegalStateException("page script failed: " + text);
    }
    return result.path("result").path("value");
  }

  /**
   * Waits until {@code condition} (a JavaScript expression) is truthy in the page: the page itself
   * polls it each animation frame; a clear error after {@code timeout}.
   */
  public void waitFor(String condition, Duration timeout) {
    String script =
        "new Promise((resolve, reject) => { const end = Date.now() + "
            + timeout.toMillis()
            + ";"
            + " const check = () => { let ok = false; try { ok = !!("
            + condition
            + "); } catch (e) {}"
            + " if (ok) resolve(true); else if (Date.now() > end) reject(new Error('timed out waiting for: '"
            + " + "
            + JSON.valueToTree(condition)
            + ")); else setTimeout(check, 20); }; check(); })";
    evaluate(script);
  }

  /** A PNG of the whole page (its full height, at the page's width) written to {@code file}. */
  public Path screenshot(Path file) {
    int fullHeight =
        Math.max(height, evaluate("Math.ceil(document.documentElement.scrollHeight)").asInt());
    ObjectNode clip =
        JSON.createObjectNode()
            .put("x", 0)
            .put("y", 0)
            .put("width", width)
            .put("height", fullHeight)
            .put("scale", 1);
    ObjectNode p = JSON.createObjectNode().put("format", "png").put("captureBeyondViewport", true);
    p.set("clip", clip);
    String data = browser.send(session, "Page.captureScreenshot", p).path("data").asText();
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.write(file, Base64.getDecoder().decode(data));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return file;
  }
}
