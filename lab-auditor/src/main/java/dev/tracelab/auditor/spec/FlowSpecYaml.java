// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.spec;

import io.opentelemetry.api.trace.SpanKind;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a flow spec from YAML (the format of docs/audit.md, field by field): every error is one
 * {@link FlowSpecException} naming the file, the line and the field. The file is hostile input: its
 * size, nesting and aliases are bounded, unknown fields are errors (a typo must not silently weaken
 * a gate).
 */
public final class FlowSpecYaml {

  /** The largest spec file read (a spec is a page, not a data set). */
  static final int MAX_BYTES = 1 << 20;

  private static final Set<String> TOP =
      Set.of("name", "entryPoints", "correlation", "spanCount", "services", "spans", "hops");
  private static final Set<String> SPAN = Set.of("id", "service", "kind", "name", "parent");
  private static final Set<String> HOP =
      Set.of("id", "from", "to", "boundary", "link", "side", "fix", "note");
  private static final Set<String> SERVICE = Set.of("propagators");

  private final String source;

  private FlowSpecYaml(String source) {
    this.source = source;
  }

  /** Reads the spec in {@code file}; errors name the file as given. */
  public static FlowSpec read(Path file) throws FlowSpecException {
    String text;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new FlowSpecException(
            file.toString(), 1, "", "larger than " + MAX_BYTES + " bytes: not a flow spec");
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.nio.charset.MalformedInputException e) {
      throw new FlowSpecException(file.toString(), 1, "", "not UTF-8 text");
    } catch (IOException e) {
      throw new FlowSpecException(file.toString(), 1, "", "cannot read: " + e.getMessage());
    }
    return parse(file.toString(), new StringReader(text));
  }

  /** Parses a spec; {@code source} names it in errors. */
  public static FlowSpec parse(String source, Reader yaml) throws FlowSpecException {
    return new FlowSpecYaml(source).parse(yaml);
  }

  private FlowSpec parse(Reader yaml) throws FlowSpecException {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(0);
    options.setNestingDepthLimit(16);
    options.setCodePointLimit(MAX_BYTES);
    Node root;
    try {
      root = new Yaml(options).compose(yaml);
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      throw new FlowSpecException(source, m == null ? 1 : m.getLine() + 1, "", e.getProblem());
    } catch (YAMLException e) {
      throw new FlowSpecException(source, 1, "", e.getMessage());
    }
    if (root == null) {
      throw new FlowSpecException(
          source, 1, "", "empty file: a flow spec needs at least entryPoints");
    }
    Map<String, Node> top = mapping(root, "", TOP);
    String name = top.containsKey("name") ? scalar(top.get("name"), "name") : "spec";
    if (!top.containsKey("entryPoints")) {
      throw error(
          root,
          "entryPoints",
          "required: the spans that may start a trace, e.g. [frontend:SERVER]");
    }
    List<SpanSelector> entryPoints = new ArrayList<>();
    for (Node n : sequence(top.get("entryPoints"), "entryPoints", true)) {
      entryPoints.add(selector(n, "entryPoints[" + entryPoints.size() + "]"));
    }
    String correlation =
        top.containsKey("correlation") ? scalar(top.get("correlation"), "correlation") : null;
    List<String> services = new ArrayList<>();
    Map<String, String> propagators = new LinkedHashMap<>();
    if (top.containsKey("services")) {
      Node servicesNode = top.get("services");
      if (!(servicesNode instanceof MappingNode m)) {
        throw error(servicesNode, "services", "must be a mapping of service name -> facts");
      }
      for (NodeTuple t : m.getValue()) {
        String service = scalar(t.getKeyNode(), "services");
        if (services.contains(service)) {
          throw error(t.getKeyNode(), "services." + service, "given twice");
        }
        services.add(service);
        String field = "services." + service;
        if (t.getValueNode() instanceof ScalarNode s && s.getValue().isEmpty()) {
          continue; // "svc:" with no facts
        }
        Map<String, Node> facts = mapping(t.getValueNode(), field, SERVICE);
        if (facts.containsKey("propagators")) {
          propagators.put(service, scalar(facts.get("propagators"), field + ".propagators"));
        }
      }
    }
    List<SpanSpec> spans = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    if (top.containsKey("spans")) {
      List<Node> nodes = sequence(top.get("spans"), "spans", false);
      if (nodes.size() > FlowSpec.MAX_SPANS) {
        throw error(
            top.get("spans"),
            "spans",
            "at most " + FlowSpec.MAX_SPANS + " spans per request, was " + nodes.size());
      }
      for (Node n : nodes) {
        String field = "spans[" + spans.size() + "]";
        Map<String, Node> f = mapping(n, field, SPAN);
        String id = required(f, n, field, "id");
        if (!ids.add(id)) {
          throw error(f.get("id"), field + ".id", "duplicate span id '" + id + "'");
        }
        String parent = f.containsKey("parent") ? scalar(f.get("parent"), field + ".parent") : null;
        if (parent != null && !ids.contains(parent)) {
          throw error(
              f.get("parent"),
              field + ".parent",
              "no span '"
                  + parent
                  + "' listed before it (list spans in flow order, parents first)");
        }
        if (parent == null && !spans.isEmpty()) {
          throw error(
              n, field + ".parent", "required: only the first span of a request has no parent");
        }
        spans.add(
            new SpanSpec(
                id,
                required(f, n, field, "service"),
                kind(f, n, field),
                required(f, n, field, "name"),
                parent));
      }
    }
    int spanCount = 0;
    if (top.containsKey("spanCount")) {
      spanCount = integer(top.get("spanCount"), "spanCount", 1, 10_000);
      if (!spans.isEmpty() && spanCount != spans.size()) {
        throw error(
            top.get("spanCount"),
            "spanCount",
            spanCount
                + " disagrees with the "
                + spans.size()
                + " spans listed (leave it out: it follows from spans)");
      }
    }
    if (correlation == null && (!spans.isEmpty() || spanCount > 0)) {
      Node at = top.containsKey("spans") ? top.get("spans") : top.get("spanCount");
      throw error(
          at,
          top.containsKey("spans") ? "spans" : "spanCount",
          "a request's shape needs a correlation attribute to find the request's spans (e.g. correlation: app.request_id)");
    }
    List<Hop> hops = new ArrayList<>();
    if (top.containsKey("hops")) {
      for (Node n : sequence(top.get("hops"), "hops", false)) {
        String field = "hops[" + hops.size() + "]";
        Map<String, Node> f = mapping(n, field, HOP);
        Hop.Boundary boundary;
        try {
          boundary = Hop.Boundary.parse(required(f, n, field, "boundary"));
        } catch (IllegalArgumentException e) {
          throw error(f.get("boundary"), field + ".boundary", e.getMessage());
        }
        SpanSelector from = end(f, n, field, "from", spans);
        SpanSelector to = end(f, n, field, "to", spans);
        boolean link = f.containsKey("link") && bool(f.get("link"), field + ".link");
        Hop.Side side = null;
        if (f.containsKey("side")) {
          try {
            side = Hop.Side.parse(scalar(f.get("side"), field + ".side"));
          } catch (IllegalArgumentException e) {
            throw error(f.get("side"), field + ".side", e.getMessage());
          }
        }
        hops.add(
            new Hop(
                f.containsKey("id") ? scalar(f.get("id"), field + ".id") : null,
                boundary,
                from,
                to,
                link,
                side,
                f.containsKey("fix") ? scalar(f.get("fix"), field + ".fix") : null,
                f.containsKey("note") ? scalar(f.get("note"), field + ".note") : null));
      }
    }
    return new FlowSpec(
        name, services, entryPoints, correlation, spans, spanCount, hops, propagators);
  }

  private SpanSelector end(
      Map<String, Node> f, Node hop, String field, String key, List<SpanSpec> spans)
      throws FlowSpecException {
    String text = required(f, hop, field, key);
    for (SpanSpec s : spans) {
      if (s.id().equals(text)) {
        return s.selector();
      }
    }
    if (!text.contains(":") && !spans.isEmpty()) {
      throw error(
          f.get(key),
          field + "." + key,
          "no span with id '" + text + "' (or write service:KIND[:name])");
    }
    return selector(f.get(key), field + "." + key);
  }

  private SpanSelector selector(Node n, String field) throws FlowSpecException {
    String text = scalar(n, field);
    try {
      return SpanSelector.parse(text);
    } catch (IllegalArgumentException e) {
      throw error(n, field, e.getMessage() + " (write service[:KIND[:name]])");
    }
  }

  private SpanKind kind(Map<String, Node> f, Node span, String field) throws FlowSpecException {
    String text = required(f, span, field, "kind");
    try {
      return SpanSelector.kind(text);
    } catch (IllegalArgumentException e) {
      throw error(f.get("kind"), field + ".kind", e.getMessage());
    }
  }

  private Map<String, Node> mapping(Node n, String field, Set<String> allowed)
      throws FlowSpecException {
    if (!(n instanceof MappingNode m)) {
      throw error(n, field, "must be a mapping (key: value lines)");
    }
    Map<String, Node> out = new LinkedHashMap<>();
    for (NodeTuple t : m.getValue()) {
      String key = scalar(t.getKeyNode(), field);
      if (!allowed.contains(key)) {
        throw error(
            t.getKeyNode(),
            field.isEmpty() ? key : field + "." + key,
            "unknown field (expected one of " + new java.util.TreeSet<>(allowed) + ")");
      }
      if (out.put(key, t.getValueNode()) != null) {
        throw error(t.getKeyNode(), field.isEmpty() ? key : field + "." + key, "given twice");
      }
    }
    return out;
  }

  private List<Node> sequence(Node n, String field, boolean nonEmpty) throws FlowSpecException {
    if (!(n instanceof SequenceNode s)) {
      throw error(n, field, "must be a list");
    }
    if (nonEmpty && s.getValue().isEmpty()) {
      throw error(n, field, "must not be empty");
    }
    return s.getValue();
  }

  private String required(Map<String, Node> f, Node parent, String field, String key)
      throws FlowSpecException {
    Node n = f.get(key);
    if (n == null) {
      throw error(parent, field + "." + key, "required");
    }
    return scalar(n, field + "." + key);
  }

  private String scalar(Node n, String field) throws FlowSpecException {
    if (!(n instanceof ScalarNode s) || s.getValue().isBlank()) {
      throw error(n, field, "must be a non-empty text value");
    }
    if (s.getValue().length() > 4096) {
      throw error(n, field, "longer than 4096 characters");
    }
    return s.getValue();
  }

  private int integer(Node n, String field, int min, int max) throws FlowSpecException {
    String text = scalar(n, field);
    try {
      int v = Integer.parseInt(text.trim());
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw error(
        n, field, "must be a whole number from " + min + " to " + max + ", was '" + text + "'");
  }

  private boolean bool(Node n, String field) throws FlowSpecException {
    String text = scalar(n, field).trim();
    if (text.equals("true") || text.equals("false")) {
      return Boolean.parseBoolean(text);
    }
    throw error(n, field, "must be true or false, was '" + text + "'");
  }

  private FlowSpecException error(Node n, String field, String problem) {
    int line = n == null || n.getStartMark() == null ? 1 : n.getStartMark().getLine() + 1;
    return new FlowSpecException(source, line, field, problem);
  }
}
