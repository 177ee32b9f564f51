// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Optional parts: which command needs which, the offline refusal (in a child JVM with an empty
 * cache and home, so nothing is found), and the progress lines of a long step.
 */
class OptionalPartsTest {

  @Test
  void eachCommandNeedsItsParts() {
    assertThat(OptionalParts.needed("screenshot", new String[0]))
        .containsExactly(OptionalParts.Part.ZIPKIN);
    assertThat(OptionalParts.needed("sampling", new String[] {"--requests", "10"}))
        .containsExactly(OptionalParts.Part.COLLECTOR, OptionalParts.Part.ZIPKIN);
    assertThat(OptionalParts.needed("longrun", new String[0]))
        .containsExactly(OptionalParts.Part.COLLECTOR, OptionalParts.Part.ZIPKIN);
    assertThat(OptionalParts.needed("bench", new String[] {"ingest"}))
        .containsExactly(OptionalParts.Part.COLLECTOR);
    assertThat(OptionalParts.needed("bench", new String[] {"scale", "--auditors", "3"}))
        .containsExactly(OptionalParts.Part.COLLECTOR);
    assertThat(OptionalParts.needed("bench", new String[] {"overhead", "--pairs", "3"})).isEmpty();
    assertThat(OptionalParts.needed("demo", new String[] {"--mesh"}))
        .containsExactly(OptionalParts.Part.ENVOY);
    assertThat(OptionalParts.needed("trace", new String[] {"--scenario", "fixed"})).isEmpty();
    assertThat(OptionalParts.needed("sampling", new String[] {"--help"})).isEmpty();
    assertThat(OptionalParts.needed("audit", new String[] {"--mesh"})).isEmpty();
  }

  @Test
  void offlineRefusesInOneLineNamingTheScripts(@TempDir Path tmp) throws Exception {
    Child flag = lab(tmp, false, "sampling", "--offline");
    assertThat(flag.exit).isEqualTo(1);
    assertThat(flag.stderr.strip().lines().toList())
        .containsExactly(
            "lab: sampling failed: sampling needs the lab collector (OpenTelemetry Collector "
                + dev.tracelab.env.Versions.OTELCOL
                + ") (a Go build: about 140 MB of Go modules, a 77 MB binary, 2-10 min), not on"
                + " this machine, and the lab is offline (--offline or TRACELAB_OFFLINE); fetch it"
                + " with: bash compose/collector/build-collector.sh && bash"
                + " compose/collector/fetch-zipkin.sh");
    Child env = lab(tmp, true, "trace", "--mesh");
    assertThat(env.exit).isEqualTo(1);
    assertThat(env.stderr.strip())
        .startsWith("lab: trace failed: trace needs Envoy " + dev.tracelab.env.Versions.ENVOY)
        .endsWith("fetch it with: bash compose/mesh/install-envoy.sh")
        .doesNotContain("\n");
  }

  @Test
  void aStepShowsQuartersOfADownloadAndItsTime() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Progress.Step step = new Progress.Step(err, "fetching the jar", null, false);
    step.bytes(0, 135, "MB");
    step.bytes(10, 135, "MB"); // same quarter: no line
    step.bytes(34, 135, "MB");
    step.note("fetched /x.jar");
    step.bytes(135, 135, "MB");
    step.end(true);
    step.end(true); // once only
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(6);
    assertThat(lines.get(0)).isEqualTo("lab: fetching the jar...");
    assertThat(lines.get(1)).matches("  fetching the jar \\[\\.{20}\\]   0% 0/135 MB, \\d+ s");
    assertThat(lines.get(2)).matches("  fetching the jar \\[#{5}\\.{15}\\]  25% 34/135 MB, \\d+ s");
    assertThat(lines.get(3)).isEqualTo("  fetched /x.jar");
    assertThat(lines.get(4)).matches("  fetching the jar \\[#{20}\\] 100% 135/135 MB, \\d+ s");
    assertThat(lines.get(5)).matches("lab: fetching the jar: done in \\d+\\.\\d s");
  }

  record Child(int exit, String stderr) {}

  /** {@code ./lab ARGS} in a child JVM whose cache and home are empty and no part is configured. */
  private static Child lab(Path tmp, boolean offlineEnv, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Duser.home=" + tmp.resolve("home"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Lab.class.getName());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("TRACELAB_CACHE", tmp.resolve("cache").toString());
    pb.environment().remove("TRACELAB_ZIPKIN_JAR");
    pb.environment().remove("TRACELAB_OTELCOL_BIN");
    pb.environment().remove("TRACELAB_ENVOY_BIN");
    pb.environment().remove("TRACELAB_OFFLINE");
    if (offlineEnv) {
      pb.environment().put("TRACELAB_OFFLINE", "1");
    }
    Path err = Files.createTempFile(tmp, "err", ".txt");
    pb.redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Child(p.exitValue(), Files.readString(err));
  }
}
