// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.env.LabEnvironment;
import dev.tracelab.env.browser.BrowserPage;
import dev.tracelab.env.browser.Chromium;
import dev.tracelab.env.frontend.FrontendServer;
import dev.tracelab.env.frontend.FrontendVariant;
import dev.tracelab.env.process.LocalHost;
import dev.tracelab.env.tier.TierArtifacts;
import dev.tracelab.env.tier.ZipkinServer;
import dev.tracelab.experiments.scenario.ScenarioRunner;
import dev.tracelab.flow.Scenario;
import io.opentelemetry.api.trace.SpanKind;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./lab screenshot [--out DIR] [--requests N]}: the pictures of the README, through the same
 * Chromium the browser tests drive. One embedded lab with the page: every demo scenario (N requests
 * each) for the HTML report, one order placed from the page in Chromium, then Zipkin (its exec jar,
 * as {@code ./lab sampling} runs it) given the traces the auditor assembled. Writes {@code
 * report.png} (the HTML report), {@code frontend.png} (the page after its order), {@code
 * zipkin-connected.png} (the browser-rooted trace in Zipkin's UI) and {@code zipkin-shattered.png}
 * (the second trace of a broken-http request, rooted at the worker) to DIR (default docs/img).
 */
@Command(
    name = "screenshot",
    sortOptions = false,
    description =
        "PNGs of the HTML report, the page and Zipkin (through Chromium): the pictures of the"
            + " README.")
final class ScreenshotCommand implements Callable<Integer> {

  @Mixin private HelpOption help;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "docs/img",
      description = "where the PNGs go (default ${DEFAULT-VALUE})")
  private String outDir;

  @Option(
      names = "--requests",
      paramLabel = "N",
      defaultValue = "20",
      description = "orders per scenario (1..10000, default ${DEFAULT-VALUE})")
  private int requests;

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrintStream out;
  private final PrintStream err;

  ScreenshotCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    try {
      return capture();
    } catch (IOException e) {
      err.println("lab: screenshot: " + e.getMessage());
      return 1;
    }
  }

  private int capture() throws IOException {
    Path dir = Path.of(outDir);
    int requests = Checks.range("requests", this.requests, 1, 10_000);
    Files.createDirectories(dir);
    Path zipkinJar = TierArtifacts.zipkinJar();

    err.println("starting the embedded lab with the page...");
    try (LabEnvironment env = LabEnvironment.builder().frontend(FrontendVariant.FIXED).start();
        Chromium chromium = Chromium.launch()) {
      err.println("chromium " + chromium.version());
      // 1. the demo's scenarios -> the HTML report
      ScenarioRunner runner = new ScenarioRunner(env, 4);
      List<HtmlReport.Section> sections = new ArrayList<>();
      HtmlReport.Section brokenHttp = null;
      for (Scenario scenario : DemoCommand.ORDER) {
        ScenarioRunner.Result result =
            runner.run(scenario, requests, new Progress(err, scenario.id(), requests));
        HtmlReport.Section section = DemoCommand.example(env, scenario, result);
        sections.add(section);
        if (scenario == Scenario.BROKEN_HTTP) {
          brokenHttp = section;
        }
      }
      Path report = LocalHost.tempDir("tracelab-report-").resolve("report.html");
      Files.writeString(
          report,
          HtmlReport.render(
              "tracelab demo: orphan spans before and after",
              String.format(
                  Locale.ROOT,
                  "%d requests per scenario, java/java/java; every figure measured by the auditor",
                  requests),
              sections));
      BrowserPage reportPage = chromium.newPage(1400, 900).open(report.toUri(), WAIT);
      out.println("wrote " + reportPage.screenshot(dir.resolve("report.png")));

      // 2. one order from the page: the trace starts in the browser
      env.switchTo(Scenario.FIXED);
      env.auditor().startRun(env.browserRunSetup("browser-fixed"));
      FrontendServer frontend = env.frontend();
      BrowserPage page = chromium.newPage(900, 420).open(frontend.pageUrl(), WAIT);
      page.waitFor("document.body.dataset.ready === 'true'", WAIT);
      String orderId = page.evaluate("window.tracelab.placeOrder('api')").path("orderId").asText();
      page.waitFor("document.querySelectorAll('li.order').length === 1", WAIT);
      out.println("wrote " + page.screenshot(dir.resolve("frontend.png")));
      List<AssembledTrace> connected =
          awaitClosed(env, orderId, env.browserRunSetup("browser-fixed").spec().spanCount());

      // 3. Zipkin, given what the auditor assembled
      Path runDir = LocalHost.tempDir("tracelab-zipkin-");
      try (ZipkinServer zipkin =
          ZipkinServer.start(zipkinJar, runDir, Duration.ofSeconds(120), Duration.ofSeconds(5))) {
        zipkin.process().awaitReady();
        post(zipkin.url(), connected);
        String traceId = connected.get(0).traceId();
        BrowserPage ui =
            chromium
                .newPage(1400, 640)
                .open(URI.create(zipkin.url() + "/zipkin/traces/" + traceId), WAIT);
        ui.waitFor(
            "document.body.innerText.includes('consumer-svc') && document.body.innerText.includes('frontend')",
            WAIT);
        out.println("wrote " + ui.screenshot(dir.resolve("zipkin-connected.png")));
        if (brokenHttp != null && !brokenHttp.fragments().isEmpty()) {
          List<ReceivedSpan> spans = new ArrayList<>();
          brokenHttp.fragments().forEach(f -> spans.addAll(f.spans()));
          postSpans(zipkin.url(), spans);
          // the second trace of the request: it starts at the worker, with no gateway above it
          String orphanTrace = brokenHttp.fragments().get(1).traceId();
          BrowserPage search =
              chromium
                  .newPage(1400, 560)
                  .open(URI.create(zipkin.url() + "/zipkin/traces/" + orphanTrace), WAIT);
          search.waitFor(
              "document.body.innerText.includes('consumer-svc') && document.body.innerText.includes('worker-svc')",
              WAIT);
          out.println("wrote " + search.screenshot(dir.resolve("zipkin-shattered.png")));
        }
      } finally {
        LocalHost.deleteTree(runDir);
      }
    }
    return 0;
  }

  private static List<AssembledTrace> awaitClosed(LabEnvironment env, String orderId, int spans) {
    long end = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < end) {
      List<AssembledTrace> traces = env.auditor().tracesOfOrder(orderId);
      if (!traces.isEmpty()
          && traces.stream().allMatch(AssembledTrace::isClosed)
          && traces.stream().mapToInt(t -> t.spans().size()).sum() == spans) {
        return traces;
      }
      try {
        Thread.sleep(100); // a command waiting for the auditor, not a test
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new IllegalStateException(
        "order " + orderId + ": its trace did not close with " + spans + " spans");
  }

  private static void post(String zipkin, List<AssembledTrace> traces) {
    List<ReceivedSpan> spans = new ArrayList<>();
    traces.forEach(t -> spans.addAll(t.spans()));
    postSpans(zipkin, spans);
  }

  /** The spans in Zipkin's JSON v2 model, POSTed to its collector API. */
  static void postSpans(String zipkin, List<ReceivedSpan> spans) {
    List<Map<String, Object>> body = new ArrayList<>();
    for (ReceivedSpan s : spans) {
      Map<String, Object> z = new LinkedHashMap<>();
      z.put("traceId", s.traceId());
      z.put("id", s.spanId());
      if (s.parentSpanId() != null) {
        z.put("parentId", s.parentSpanId());
      }
      z.put("name", s.name());
      if (s.kind() != SpanKind.INTERNAL) {
        z.put("kind", s.kind().name());
      }
      z.put("timestamp", s.startEpochNanos() / 1_000);
      z.put("duration", Math.max(1, (s.endEpochNanos() - s.startEpochNanos()) / 1_000));
      z.put("localEndpoint", Map.of("serviceName", s.service()));
      Map<String, String> tags = new LinkedHashMap<>();
      s.attributes().forEach((k, v) -> tags.put(k, String.valueOf(v)));
      z.put("tags", tags);
      body.add(z);
    }
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(zipkin + "/api/v2/spans"))
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw new IllegalStateException(
            "zipkin refused the spans: " + response.statusCode() + " " + response.body());
      }
    } catch (IOException e) {
      throw new IllegalStateException("zipkin unreachable at " + zipkin, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
