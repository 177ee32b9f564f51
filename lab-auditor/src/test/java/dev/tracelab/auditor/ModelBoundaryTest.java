// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/design.md §11: the auditor knows one model. Its rules, pairing, spec, assembly, inputs and
 * report writers read nothing of the lab's flow and name no lab service, span, attribute or file;
 * the lab's flows reach them only as {@code FlowSpec} instances built in the {@code lab} package.
 */
class ModelBoundaryTest {

  private static final Path MAIN = Path.of("src/main/java/dev/tracelab/auditor");
  private static final List<String> LAB_WORDS =
      List.of(
          "dev.tracelab.flow",
          "gateway-svc",
          "worker-svc",
          "consumer-svc",
          "envoy-sidecar",
          "app.order_id",
          "TracingHttpClient",
          "ContextBoundHandOff",
          "RecordHeadersParent",
          "order.prepare",
          "POST /work");

  @ParameterizedTest
  @ValueSource(strings = {"orphans", "spec", "trace", "report", "input", "otlp"})
  void aPackageOfTheModelNamesNothingOfTheLab(String pkg) throws IOException {
    List<Path> sources;
    try (Stream<Path> files = Files.walk(MAIN.resolve(pkg))) {
      sources = files.filter(f -> f.toString().endsWith(".java")).toList();
    }
    assertThat(sources).isNotEmpty();
    for (Path source : sources) {
      String text = Files.readString(source);
      for (String word : LAB_WORDS) {
        assertThat(text).as("%s names '%s'", source, word).doesNotContain(word);
      }
    }
  }
}
