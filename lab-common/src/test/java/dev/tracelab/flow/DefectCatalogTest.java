// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The defect catalog ({@link Defects}) against the repository: every path it names exists, every
 * path a {@code broken-variants/} file's header names exists and every such file is in the catalog;
 * the enums agree with it; the defect tables of README.md and docs/orphans.md are the ones rendered
 * from it ({@code -Dtracelab.docs=write} rewrites them; otherwise a difference fails with a diff).
 */
class DefectCatalogTest {

  private static final Path ROOT = repository();
  private static final boolean WRITE = "write".equals(System.getProperty("tracelab.docs"));

  /** A repo-relative path as the headers write them: a top-level folder, then a file name. */
  private static final Pattern PATH =
      Pattern.compile("(?<![\\w./-])((?:[\\w.-]+/)+[\\w.-]+\\.(?:java|go|js|md|env|xml|json))");

  private static Path repository() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("mvnw"))
          && Files.isDirectory(d.resolve("broken-variants"))) {
        return d;
      }
    }
    throw new IllegalStateException("no repository above " + Path.of("").toAbsolutePath());
  }

  @Test
  void everyPathInTheCatalogExists() {
    List<String> missing = new ArrayList<>();
    for (Defect d : Defects.ALL) {
      for (String path : new String[] {d.brokenFile(), d.fixFile()}) {
        if (path != null && !Files.isRegularFile(ROOT.resolve(path))) {
          missing.add(d.id() + ": " + path);
        }
      }
    }
    assertThat(missing).as("catalog paths that do not exist").isEmpty();
  }

  @Test
  void everyBrokenVariantIsInTheCatalogAndEveryPathInItsHeaderExists() throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(ROOT.resolve("broken-variants"))) {
      files =
          walk.filter(Files::isRegularFile)
              .filter(p -> p.toString().matches(".*\\.(java|go|js)$"))
              .filter(p -> !p.getFileName().toString().equals("eslint.config.js"))
              .filter(
                  p -> !p.toString().contains("node_modules") && !p.toString().contains("/target/"))
              .sorted()
              .toList();
    }
    Set<String> catalogued =
        Defects.ALL.stream()
            .map(Defect::brokenFile)
            .filter(f -> f != null)
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> onDisk = new TreeSet<>();
    files.forEach(f -> onDisk.add(ROOT.relativize(f).toString()));
    assertThat(onDisk)
        .as("broken-variants/ files vs the catalog's broken files")
        .isEqualTo(catalogued);

    List<String> missing = new ArrayList<>();
    int named = 0;
    for (Path f : files) {
      String header = header(Files.readString(f, StandardCharsets.UTF_8));
      assertThat(header).as("%s has a DEFECT header", f).contains("DEFECT (").contains("FIX: ");
      Matcher m = PATH.matcher(header);
      while (m.find()) {
        named++;
        if (!Files.isRegularFile(ROOT.resolve(m.group(1)))) {
          missing.add(ROOT.relativize(f) + " names " + m.group(1));
        }
      }
      // the fix the header names is the catalog's
      Defect d =
          Defects.ALL.stream()
              .filter(x -> ROOT.relativize(f).toString().equals(x.brokenFile()))
              .findFirst()
              .orElseThrow();
      assertThat(header.replaceAll("\\s+", " ")).as("%s names its fix", f).contains(d.fixFile());
    }
    assertThat(missing).as("paths named in broken-variants/ headers that do not exist").isEmpty();
    assertThat(named).as("paths named in the headers").isGreaterThanOrEqualTo(files.size());
  }

  /** The leading comment of a source file (block comment or // lines), after its SPDX line. */
  private static String header(String source) {
    String s = source.stripLeading();
    if (s.startsWith("// SPDX-License-Identifier:")) {
      s = s.substring(s.indexOf('\n') + 1).stripLeading();
    }
    if (s.startsWith("/*")) {
      return s.substring(0, s.indexOf("*/"));
    }
    StringBuilder sb = new StringBuilder();
    for (String line : s.lines().toList()) {
      if (!line.startsWith("//")) {
        break;
      }
      sb.append(line).append('\n');
    }
    return sb.toString();
  }

  @Test
  void theEnumsAgreeWithTheCatalog() {
    for (Boundary b : Boundary.values()) {
      assertThat(Defects.of(b)).as("defects of %s", b).isNotEmpty();
      assertThat(Defects.of(b)).extracting(Defect::role).containsOnly(b.brokenBy());
    }
    for (Defect d : Defects.ALL) {
      if (d.scenario() != null) {
        Scenario s = Scenario.parse(d.scenario());
        assertThat(s.brokenBoundaries()).containsExactly(d.boundary());
        if (!d.isConfiguration()) {
          assertThat(s.variantOf(d.role()).id()).isEqualTo(d.variant());
        }
      }
      if (Flow.SERVICES.contains(d.role()) && d.variant() != null) {
        assertThat(Variant.parse(d.variant()).appliesTo(d.role())).isTrue();
      }
      if (d.boundary() != null && d.language() != null && d.id().equals(firstOf(d))) {
        assertThat(Implementation.of(d.role(), d.language()).fixFile()).isEqualTo(d.fixFile());
      }
    }
    assertThat(Scenario.ALL_BROKEN.brokenBoundaries())
        .containsExactlyInAnyOrder(Boundary.HTTP, Boundary.ASYNC, Boundary.KAFKA);
    assertThat(Scenario.BROKEN_PROPAGATORS.propagators())
        .containsExactly(
            Map.entry(Flow.GATEWAY, "b3multi"),
            Map.entry(Flow.WORKER, "tracecontext"),
            Map.entry(Flow.CONSUMER, Scenario.DEFAULT_PROPAGATORS));
    assertThat(Defects.exercises())
        .containsExactly("cors", "http", "propagators", "async", "kafka");
    assertThat(Defects.serviceExercises())
        .containsExactly(Boundary.HTTP, Boundary.ASYNC, Boundary.KAFKA);
    assertThat(Defects.ALL.stream().map(Defect::id).distinct()).hasSize(Defects.ALL.size());
  }

  private static String firstOf(Defect d) {
    return Defects.ALL.stream()
        .filter(x -> x.role().equals(d.role()) && x.language() == d.language())
        .filter(x -> x.boundary() != null)
        .findFirst()
        .orElseThrow()
        .id();
  }

  // ---- the docs' tables ----

  static final String BEGIN = "<!-- defect catalog: begin";
  static final String END = "<!-- defect catalog: end -->";

  @Test
  void docsOrphansMdHoldsTheCatalogTable() throws IOException {
    check("docs/orphans.md", orphansTable());
  }

  @Test
  void readmeHoldsTheCatalogTable() throws IOException {
    check("README.md", readmeTable());
  }

  /** One row per defect and language. */
  static String orphansTable() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "| id | boundary | role | language | defect (file) | fix (file) | switch | exercise |\n");
    sb.append("|---|---|---|---|---|---|---|---|\n");
    for (Defect d : Defects.ALL) {
      sb.append("| `")
          .append(d.id())
          .append("` | ")
          .append(d.boundary() == null ? "—" : d.boundary().id())
          .append(" | ")
          .append(d.role())
          .append(" | ")
          .append(d.languageId())
          .append(" | ")
          .append(d.brokenFile() == null ? "none (configuration)" : "`" + d.brokenFile() + "`")
          .append(": ")
          .append(d.defect())
          .append(" | `")
          .append(d.fixFile())
          .append("` | `")
          .append(d.switchText())
          .append("` | ")
          .append(d.exercise() == null ? "—" : "`" + d.exercise() + "`")
          .append(" |\n");
    }
    return sb.toString();
  }

  /** One row per defect, its languages together. */
  static String readmeTable() {
    Map<String, List<Defect>> byName = new LinkedHashMap<>();
    Defects.ALL.forEach(d -> byName.computeIfAbsent(d.name(), k -> new ArrayList<>()).add(d));
    StringBuilder sb = new StringBuilder();
    sb.append(
        "| defect | boundary | what is wrong | symptom | fix | switch | languages | exercise |\n");
    sb.append("|---|---|---|---|---|---|---|---|\n");
    byName.forEach(
        (name, defects) -> {
          Defect d = defects.get(0);
          Set<String> languages = new LinkedHashSet<>();
          defects.forEach(x -> languages.add(x.languageId()));
          sb.append("| `")
              .append(name)
              .append("` | ")
              .append(d.boundary() == null ? "—" : d.boundary().id())
              .append(" | ")
              .append(d.role())
              .append(": ")
              .append(d.defect())
              .append(" | ")
              .append(d.symptom())
              .append(" | ")
              .append(d.fix())
              .append(" | ")
              .append(
                  d.scenario() != null
                      ? "scenario `" + d.scenario() + "`"
                      : "`" + d.switchText().replaceAll(" \\(.*\\)$", "") + "`")
              .append(" | ")
              .append(String.join(", ", languages))
              .append(" | ")
              .append(d.exercise() == null ? "—" : "`" + d.exercise() + "`")
              .append(" |\n");
        });
    return sb.toString();
  }

  /** The doc's table between the markers equals {@code table}; or, when writing, becomes it. */
  private static void check(String doc, String table) throws IOException {
    Path file = ROOT.resolve(doc);
    String text = Files.readString(file, StandardCharsets.UTF_8);
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END);
    assertThat(begin).as("%s has the marker '%s ...'", doc, BEGIN).isNotNegative();
    assertThat(end).as("%s has the marker '%s' after the begin", doc, END).isGreaterThan(begin);
    int tableStart = text.indexOf("-->", begin) + "-->".length() + 1;
    String current = text.substring(tableStart, end);
    if (WRITE) {
      Files.writeString(
          file,
          text.substring(0, tableStart) + table + text.substring(end),
          StandardCharsets.UTF_8);
      return;
    }
    if (!current.equals(table)) {
      throw new AssertionError(
          doc
              + ": the defect table differs from the catalog (Defects.java); rewrite it with"
              + " ./mvnw -q -pl lab-common test -Dtest=DefectCatalogTest -Dtracelab.docs=write\n"
              + diff(current, table));
    }
  }

  /** A line diff: {@code -} the doc's lines not in the catalog's table, {@code +} the reverse. */
  static String diff(String current, String expected) {
    List<String> have = current.lines().toList();
    List<String> want = expected.lines().toList();
    StringBuilder sb = new StringBuilder();
    for (String l : have) {
      if (!want.contains(l)) {
        sb.append("- ").append(l).append('\n');
      }
    }
    for (String l : want) {
      if (!have.contains(l)) {
        sb.append("+ ").append(l).append('\n');
      }
    }
    return sb.length() == 0 ? "(the same lines in another order)\n" : sb.toString();
  }
}
