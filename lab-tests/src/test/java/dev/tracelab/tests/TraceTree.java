package dev.tracelab.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.experiments.sampling.TierProbe.ZipkinSpan;
import dev.tracelab.flow.ExpectedFlow;
import dev.tracelab.flow.ExpectedSpan;
import dev.tracelab.flow.Flow;
import dev.tracelab.tests.AuditorClient.SpanView;
import dev.tracelab.tests.AuditorClient.TraceView;
import io.opentelemetry.api.trace.SpanKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Trace assertions that read like the span tree:
 *
 * <pre>{@code
 * assertTree(trace,
 *     root(GATEWAY, SERVER, "POST /orders",
 *         child(GATEWAY, CLIENT, "POST",
 *             child(WORKER, SERVER, "POST /work", ...))));
 * }</pre>
 *
 * Exact: the trace holds exactly the spans of the tree, every span's parent is the span above it,
 * and the root has no parent (or exactly the caller's span, with {@link Node#withParent}).
 */
final class TraceTree {

  private TraceTree() {}

  static final class Node {
    final String service;
    final SpanKind kind;
    final String name;
    final List<Node> children;
    String parentSpanId; // root only: the caller's span id, null = no parent

    Node(String service, SpanKind kind, String name, List<Node> children) {
      this.service = service;
      this.kind = kind;
      this.name = name;
      this.children = children;
    }

    /** The root continues a caller's span. */
    Node withParent(String callerSpanId) {
      this.parentSpanId = callerSpanId;
      return this;
    }

    int size() {
      return 1 + children.stream().mapToInt(Node::size).sum();
    }

    boolean matches(SpanView span) {
      return span.service().equals(service)
          && span.kind().equals(kind.name())
          && span.name().equals(name);
    }

    @Override
    public String toString() {
      return service + " " + kind + " " + name;
    }
  }

  static Node root(String service, SpanKind kind, String name, Node... children) {
    return new Node(service, kind, name, Arrays.asList(children));
  }

  static Node child(String service, SpanKind kind, String name, Node... children) {
    return new Node(service, kind, name, Arrays.asList(children));
  }

  /** The flow steps of one fragment as a tree (the flow is a chain, so each step has one child). */
  static Node chainOf(List<Integer> steps) {
    return chainOf(Flow.JAVA, steps);
  }

  /** The steps of {@code flow} (a combination's composed flow) as a tree. */
  static Node chainOf(ExpectedFlow flow, List<Integer> steps) {
    Node node = null;
    for (int i = steps.size() - 1; i >= 0; i--) {
      ExpectedSpan e = flow.step(steps.get(i));
      node =
          node == null
              ? child(e.service(), e.kind(), e.name())
              : child(e.service(), e.kind(), e.name(), node);
    }
    return node;
  }

  static void assertTree(TraceView trace, Node root) {
    List<SpanView> spans = trace.spans();
    String shape = describe(spans);
    assertThat(spans).as("spans of trace %s:%n%s", trace.traceId(), shape).hasSize(root.size());
    List<SpanView> roots =
        spans.stream()
            .filter(
                s ->
                    s.parentSpanId() == null
                        || spans.stream().noneMatch(p -> p.spanId().equals(s.parentSpanId())))
            .toList();
    assertThat(roots).as("roots of trace %s:%n%s", trace.traceId(), shape).hasSize(1);
    SpanView top = roots.get(0);
    assertThat(root.matches(top)).as("root %s is %s%n%s", describe(top), root, shape).isTrue();
    assertThat(top.parentSpanId()).as("parent of root %s", root).isEqualTo(root.parentSpanId);
    assertChildren(spans, top, root, shape);
  }

  /**
   * The same exact tree check on the spans Zipkin holds for {@code traceId}. Zipkin stores span
   * names in lower case and has no INTERNAL kind (no kind = INTERNAL), so the expected names are
   * compared in lower case.
   */
  static void assertZipkinTree(String traceId, List<ZipkinSpan> spans, Node root) {
    assertThat(spans)
        .as("trace ids of Zipkin's spans of %s", traceId)
        .allSatisfy(s -> assertThat(s.traceId()).isEqualTo(traceId));
    List<SpanView> views =
        spans.stream()
            .map(
                s ->
                    new SpanView(
                        s.traceId(),
                        s.id(),
                        s.parentId(),
                        s.service(),
                        s.kind(),
                        s.name(),
                        s.durationMicros() / 1000.0,
                        s.error() ? "ERROR" : "UNSET",
                        Map.of(),
                        List.of()))
            .toList();
    assertTree(new TraceView(traceId, true, views), lowerCased(root));
  }

  private static Node lowerCased(Node node) {
    Node copy =
        new Node(
            node.service,
            node.kind,
            node.name.toLowerCase(Locale.ROOT),
            node.children.stream().map(TraceTree::lowerCased).toList());
    copy.parentSpanId = node.parentSpanId;
    return copy;
  }

  private static void assertChildren(List<SpanView> spans, SpanView span, Node node, String shape) {
    List<SpanView> children =
        spans.stream().filter(s -> span.spanId().equals(s.parentSpanId())).toList();
    assertThat(children).as("children of %s%n%s", node, shape).hasSize(node.children.size());
    List<SpanView> unmatched = new ArrayList<>(children);
    for (Node expected : node.children) {
      SpanView match = unmatched.stream().filter(expected::matches).findFirst().orElse(null);
      assertThat(match).as("child %s of %s%n%s", expected, node, shape).isNotNull();
      unmatched.remove(match);
      assertChildren(spans, match, expected, shape);
    }
  }

  static String describe(List<SpanView> spans) {
    return spans.stream().map(TraceTree::describe).collect(Collectors.joining("\n"));
  }

  static String describe(SpanView s) {
    return "  "
        + s.spanId()
        + " parent="
        + s.parentSpanId()
        + " "
        + s.service()
        + " "
        + s.kind()
        + " "
        + s.name();
  }
}
