// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.tests.SpdxHeaders.Syntax;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every tracked source file carries the Apache-2.0 SPDX line (LICENSE), in its language's form. */
class SpdxHeadersTest {

  @Test
  void everyTrackedSourceFileStartsWithTheSpdxLine() {
    List<String> missing = SpdxHeaders.check(root());
    assertThat(missing)
        .as(
            "tracked source files without '%s' at the top; from the repository root: %s",
            SpdxHeaders.IDENTIFIER, SpdxHeaders.FIX_COMMAND)
        .isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          lab-common/src/main/java/dev/tracelab/flow/Scenario.java | package x; | SLASHES
          gateway-svc/go/main.go                                  | x     | SLASHES
          frontend/src/main.js                                    | x     | SLASHES
          compose/versions.sh                                     | x     | HASH
          compose/docker-compose.yml                              | x     | HASH
          compose/collector/tail.yaml                             | x     | HASH
          lab                                                     | #!/usr/bin/env bash | HASH
          mvnw                                                    | #!/bin/sh | HASH
          compose/standins/kafka/docker/bash-config               | # sourced | HASH
          gateway-svc/Dockerfile                                  | FROM x | NONE
          frontend/package.json                                   | {      | NONE
          README.md                                               | # x    | NONE
          scripts/run                                             | #!/usr/bin/env node | NONE
          """)
  void theSyntaxFollowsTheLanguage(String path, String firstLine, String expected) {
    Syntax syntax = SpdxHeaders.syntaxOf(path, firstLine);
    assertThat(syntax == null ? "NONE" : syntax.name()).isEqualTo(expected);
  }

  @Test
  void theLineGoesAfterTheShebangAndAboveTheFilesOwnHeaderAndIsAddedOnce() {
    String script = "#!/usr/bin/env bash\n# does things\nset -eu\n";
    String fixed = SpdxHeaders.withHeader(script, Syntax.HASH);
    assertThat(fixed)
        .isEqualTo(
            "#!/usr/bin/env bash\n# SPDX-License-Identifier: Apache-2.0\n# does things\nset -eu\n");
    assertThat(SpdxHeaders.hasHeader(script, Syntax.HASH)).isFalse();
    assertThat(SpdxHeaders.hasHeader(fixed, Syntax.HASH)).isTrue();

    // Go: a blank line, so the line never becomes part of the package doc comment
    String go = "// DEFECT (http, gateway-svc): ...\npackage broken\n";
    assertThat(SpdxHeaders.withHeader(go, Syntax.SLASHES))
        .isEqualTo(
            "// SPDX-License-Identifier: Apache-2.0\n\n// DEFECT (http, gateway-svc): ...\npackage broken\n");
    assertThat(SpdxHeaders.withHeader("a:\r\n  b: 1\r\n", Syntax.HASH))
        .isEqualTo("# SPDX-License-Identifier: Apache-2.0\r\na:\r\n  b: 1\r\n");
    assertThat(
            SpdxHeaders.hasHeader(
                "package x;\n// SPDX-License-Identifier: Apache-2.0\n", Syntax.SLASHES))
        .isFalse();
  }

  /** The checkout's root (the tests run in lab-tests/). */
  private static Path root() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("LICENSE")) && Files.isRegularFile(p.resolve("lab"))) {
        return p;
      }
    }
    throw new IllegalStateException("no LICENSE and ./lab above " + Path.of("").toAbsolutePath());
  }
}
