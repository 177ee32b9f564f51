// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import static dev.tracelab.testkit.TracelabAssertions.assertThat;
import static dev.tracelab.testkit.TracelabAssertions.byAttribute;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelab.auditor.orphans.BrokenEdge;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flow spec file names the hop that broke and who must fix it; a bad one fails naming the line.
 */
class SpecFileTest {

  @RegisterExtension
  static final TracelabAuditor auditor = TracelabAuditor.spec(resource("shop.yaml"));

  @Test
  void theSpecsHopNamesTheBrokenEdgeAndItsSide() {
    try (TwoServices services = TwoServices.overHttp(auditor.otlpHttpEndpoint())) {
      services.request("o-1", true);
    }

    assertThat(auditor).request(byAttribute("app.order_id", "o-1")).hasTraceCount(2);
    assertThat(auditor).hasBrokenEdge("frontend", "customer", 1);
    Assertions.assertThat(auditor.report().brokenEdges())
        .extracting(BrokenEdge::label, BrokenEdge::side)
        .containsExactly(Assertions.tuple("frontend -> customer (customer-http)", "callee"));
  }

  @Test
  void aBadSpecFailsNamingTheFileTheLineAndTheField(@TempDir Path dir) throws Exception {
    Path bad =
        Files.writeString(
            dir.resolve("bad.yaml"), "entryPoints: [frontend:SERVER]\nspanCount: 4\n");

    assertThatThrownBy(() -> TracelabAuditor.spec(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            bad
                + ":2: spanCount: a request's shape needs a correlation attribute to find the request's"
                + " spans (e.g. correlation: app.request_id)");
  }

  private static Path resource(String name) {
    try {
      return Path.of(SpecFileTest.class.getResource("/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
