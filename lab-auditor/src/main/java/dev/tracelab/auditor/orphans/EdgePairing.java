// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.orphans;

import dev.tracelab.auditor.spec.FlowSpec;
import dev.tracelab.auditor.spec.Hop;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
import io.opentelemetry.api.trace.SpanKind;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The pairing rule of docs/design.md §11.3: unanswered calls (CLIENT/PRODUCER spans with no child
 * in their trace) meet unexplained roots (orphan-root SERVER/CONSUMER spans of other traces), and
 * async roots (orphan-root INTERNAL/PRODUCER spans) meet the same service's SERVER/CONSUMER spans
 * in progress when they started. Each pair counts for its edge. Online: whichever end closes second
 * finds the first among the pending ends when an attribute corroborates the pair (a strong pair); a
 * pair that only time supports (a weak pair) waits {@link #SETTLE_AFTER_NANOS} after the root's
 * trace arrived, or until the input ends ({@link #settleAll}), so that a strong partner still in
 * flight wins whatever the arrival order. Pending ends are bounded (the oldest go first, counted).
 * Not thread-safe: {@link RunStats} calls it under its lock.
 */
final class EdgePairing {

  static final int MAX_PENDING = 20_000;
  static final int MAX_SERVING = 20_000;

  /** The newest pairs a better-fitting end may still take apart; older pairs are final. */
  static final int MAX_REVISABLE = 1_000;

  /** How many ends one offer may displace in a chain (each displaced end is offered again). */
  private static final int MAX_DISPLACEMENTS = 8;

  /**
   * How long (the assembler's clock: arrival, not span time) a root waits for a strong partner
   * before a weak one is taken: longer than a caller's trace takes to close after its callee's (the
   * live auditor's default quiet window is 30 s), shorter than a CI job waits for a report.
   */
  static final long SETTLE_AFTER_NANOS = 60_000_000_000L;

  /** The time part of a score: the nearer the root's start to the call's, in microseconds. */
  private static final long TIME_RANGE = 1_000_000_000L;

  /** A pair scores at least this when an attribute, not only time, backs it. */
  private static final long STRONG = TIME_RANGE + 1;

  private final long skewNanos;
  private final long maxLagNanos;
  private final ArrayDeque<End> calls = new ArrayDeque<>();
  private final ArrayDeque<End> roots = new ArrayDeque<>();
  private final ArrayDeque<End> asyncRoots = new ArrayDeque<>();
  private final ArrayDeque<End> serving = new ArrayDeque<>();
  // the calls and roots of the revisable pairs, oldest first
  private final ArrayDeque<End> pairedCalls = new ArrayDeque<>();
  private final ArrayDeque<End> pairedRoots = new ArrayDeque<>();
  // consumer roots judged no-context here: their request's producer may sit on another auditor
  private final ArrayDeque<End> noContext = new ArrayDeque<>();
  private final Map<EdgeKey, EdgeFigures> edges = new LinkedHashMap<>();
  private final Map<String, long[]> propagation =
      new HashMap<>(); // service -> {answered calls, continued serves}
  private long droppedEnds;
  // the latest arrival seen (the assembler's clock), and when weak pairs were last settled
  private long now = Long.MIN_VALUE;
  private long settledAt = Long.MIN_VALUE;

  private final IntConsumer connectedTracesDelta;

  /**
   * @param connectedTracesDelta told -1 when a call of a trace counted connected is paired (the
   *     trace is not connected after all), +1 when a better partner takes that call's root back
   */
  EdgePairing(long skewNanos, long maxLagNanos, IntConsumer connectedTracesDelta) {
    this.skewNanos = skewNanos;
    this.maxLagNanos = maxLagNanos;
    this.connectedTracesDelta = connectedTracesDelta;
  }

  // ---- the state a report carries so that reports of several auditors merge (docs/design.md
  // §11.4)

  /** What this pairing holds: its edges by names, its pending ends, the propagation figures. */
  PairingState state() {
    List<PairingState.EdgeRow> rows = new ArrayList<>();
    edges.forEach(
        (k, e) ->
            e.names.forEach(
                (n, count) ->
                    rows.add(
                        new PairingState.EdgeRow(
                            k.from(),
                            k.to(),
                            k.boundary(),
                            k.likely(),
                            e.boundary.id(),
                            n.get(0),
                            n.get(1),
                            n.get(2),
                            n.get(3),
                            count,
                            e.example))));
    Map<String, List<Long>> prop = new LinkedHashMap<>();
    propagation.forEach((svc, f) -> prop.put(svc, List.of(f[0], f[1])));
    return new PairingState(
        rows,
        ends(calls, true),
        ends(roots, true),
        ends(asyncRoots, true),
        ends(serving, true),
        prop,
        droppedEnds,
        ends(noContext, true));
  }

  private static List<PairingState.PendingSpan> ends(ArrayDeque<End> pending, boolean attributes) {
    List<PairingState.PendingSpan> out = new ArrayList<>(pending.size());
    for (End e : pending) {
      out.add(PairingState.PendingSpan.of(e.span(), e.connectedTrace(), attributes));
    }
    return out;
  }

  /** Adds another auditor's edges and propagation figures (before any {@link #offer}). */
  void absorb(PairingState state, FlowSpec spec) {
    for (PairingState.EdgeRow row : state.edges()) {
      EdgeKey key = new EdgeKey(row.from(), row.to(), row.boundary(), row.likely());
      EdgeFigures e = edges.computeIfAbsent(key, k -> new EdgeFigures());
      e.count += row.count();
      e.boundary = Hop.Boundary.parse(row.kind());
      e.hop =
          spec.hops().stream().filter(h -> h.id().equals(row.boundary())).findFirst().orElse(null);
      if (e.example == null) {
        e.example = row.example();
      }
      e.names.merge(
          List.of(row.callKind(), row.callName(), row.rootKind(), row.rootName()),
          row.count(),
          Long::sum);
      if (e.boundary != Hop.Boundary.ASYNC
          && OrphanRules.propagatorsDisagree(spec, row.from(), row.to())) {
        e.configuration =
            Fixes.propagators(
                row.from(),
                spec.propagators().get(row.from()),
                row.to(),
                spec.propagators().get(row.to()));
      }
    }
    state
        .propagation()
        .forEach(
            (svc, f) -> {
              long[] mine = figures(svc);
              mine[0] += f.get(0);
              mine[1] += f.get(1);
            });
    droppedEnds += state.droppedEnds();
  }

  /** Offers another auditor's pending ends of one role, as if their traces had closed here. */
  void offer(PairingState.Role role, List<PairingState.PendingSpan> ends, FlowSpec spec) {
    for (PairingState.PendingSpan p : ends) {
      ReceivedSpan s = p.toSpan();
      End end = new End(s, spec.correlationOf(s), Proto.of(s), p.connectedTrace());
      switch (role) {
        case CALL -> offerCall(end, spec);
        case ROOT, ASYNC_ROOT -> offerRoot(end, spec);
        case SERVING -> offerServing(end, spec);
      }
    }
  }

  /** One end of a possible pair. */
  private static final class End {
    private final ReceivedSpan span;
    private final String request;
    private final Proto proto;
    private final boolean connectedTrace;
    // a root found no weak partner when it settled: only a strong one, or the input's end, pairs it
    boolean weakTried;
    long arrival = Long.MIN_VALUE; // when a root's trace arrived (the assembler's clock)
    // a revisable pair: the other end, the pair's score, and what it counted (to take it back)
    End partner;
    long pairScore;
    EdgeKey key;
    List<String> names;

    End(ReceivedSpan span, String request, Proto proto, boolean connectedTrace) {
      this.span = span;
      this.request = request;
      this.proto = proto;
      this.connectedTrace = connectedTrace;
    }

    ReceivedSpan span() {
      return span;
    }

    String request() {
      return request;
    }

    Proto proto() {
      return proto;
    }

    boolean connectedTrace() {
      return connectedTrace;
    }
  }

  private record EdgeKey(String from, String to, String boundary, boolean likely) {}

  /** What the pairs of one edge say. */
  private static final class EdgeFigures {
    long count;
    Hop hop; // the spec's hop, when the pairs crossed one
    Hop.Boundary boundary;
    BrokenEdge.Example example;
    String configuration; // both services' propagators share no format: the fix is configuration
    final Map<List<String>, Long> names =
        new LinkedHashMap<>(); // [call kind, call name, root kind, root name]
  }

  /**
   * Protocol class of a span, from its attributes (semantic conventions, old and current names).
   */
  enum Proto {
    HTTP,
    RPC,
    MESSAGING,
    DB,
    UNKNOWN;

    static Proto of(ReceivedSpan s) {
      Map<String, String> a = s.attributes();
      if (a.containsKey("db.system") || a.containsKey("db.system.name")) {
        return DB;
      }
      if (a.containsKey("rpc.system") || a.containsKey("rpc.system.name")) {
        return RPC;
      }
      if (a.containsKey("messaging.system")
          || a.containsKey("messaging.destination.name")
          || a.containsKey("messaging.destination")) {
        return MESSAGING;
      }
      if (a.containsKey("http.request.method")
          || a.containsKey("http.method")
          || a.containsKey("url.full")
          || a.containsKey("http.url")
          || a.containsKey("http.route")
          || a.containsKey("url.path")
          || a.containsKey("http.target")) {
        return HTTP;
      }
      return UNKNOWN;
    }
  }

  /**
   * Reads one closed trace: its unanswered calls, its unexplained and async roots, its serving
   * spans.
   */
  void add(
      AssembledTrace trace, List<OrphanRules.Orphan> orphans, FlowSpec spec, boolean connected) {
    List<ReceivedSpan> spans = trace.spans();
    int n = spans.size();
    // a small trace is scanned (span ids are unique in a trace); a large one goes through maps
    Map<String, ReceivedSpan> byId = null;
    java.util.Set<String> parents = null;
    if (n > SCAN) {
      byId = new HashMap<>(n * 2);
      for (ReceivedSpan s : spans) {
        byId.put(s.spanId(), s);
      }
      parents = new java.util.HashSet<>();
    }
    for (int i = 0; i < n; i++) {
      ReceivedSpan s = spans.get(i);
      if (s.parentSpanId() == null) {
        continue;
      }
      ReceivedSpan parent;
      if (byId != null) {
        parents.add(s.parentSpanId());
        parent = byId.get(s.parentSpanId());
      } else {
        parent = withId(spans, s.parentSpanId());
      }
      if (parent != null
          && !parent.service().equals(s.service())
          && (s.kind() == SpanKind.SERVER || s.kind() == SpanKind.CONSUMER)) {
        figures(s.service())[1]++;
        figures(parent.service())[0]++;
      }
    }
    for (int i = 0; i < n; i++) {
      ReceivedSpan s = spans.get(i);
      if ((s.kind() == SpanKind.CLIENT || s.kind() == SpanKind.PRODUCER)
          && !(parents != null ? parents.contains(s.spanId()) : hasChild(spans, s.spanId()))) {
        offerCall(new End(s, spec.correlationOf(s), Proto.of(s), connected), spec);
      }
    }
    for (OrphanRules.Orphan o : orphans) {
      if (o.root() && o.counts()) {
        ReceivedSpan s = o.span();
        End root = new End(s, spec.correlationOf(s), Proto.of(s), false);
        root.arrival = trace.lastArrivalNanos();
        offerRoot(root, spec);
      } else if (o.root() && OrphanRules.NO_CONTEXT.equals(o.diagnosis().boundary())) {
        ReceivedSpan s = o.span();
        // bounded as the other pending ends; the oldest go first, uncounted (only a merge reads
        // them)
        noContext.addLast(new End(s, spec.correlationOf(s), Proto.of(s), false));
        if (noContext.size() > MAX_PENDING) {
          noContext.removeFirst();
        }
      }
    }
    for (int i = 0; i < n; i++) {
      ReceivedSpan s = spans.get(i);
      if (s.kind() == SpanKind.SERVER || s.kind() == SpanKind.CONSUMER) {
        // a serving end is only ever a host of async roots, which reads no protocol class
        offerServing(new End(s, spec.correlationOf(s), Proto.UNKNOWN, false), spec);
      }
    }
    now = Math.max(now, trace.lastArrivalNanos());
    // weak pairs settle at most once a second (a pass reads every pending root)
    if (settledAt == Long.MIN_VALUE || now - settledAt >= 1_000_000_000L) {
      settledAt = now;
      settle(now - SETTLE_AFTER_NANOS, false, spec);
    }
  }

  /**
   * The end of the input: every root still pending takes its best weak partner, if any. A file
   * audit calls it once all spans are read, a live auditor when it stops.
   */
  void settleAll(FlowSpec spec) {
    settle(Long.MAX_VALUE, true, spec);
  }

  /** Pairs the pending SERVER/CONSUMER roots that arrived before {@code cutoff} with weak calls. */
  private void settle(long cutoff, boolean all, FlowSpec spec) {
    for (Iterator<End> it = roots.iterator(); it.hasNext(); ) {
      End root = it.next();
      if (!all && (root.weakTried || root.arrival >= cutoff)) {
        continue;
      }
      End call = best(root, calls, pairedCalls, spec, false, 0);
      if (call != null) {
        it.remove();
        take(call, root, spec, 0);
      } else {
        root.weakTried = true;
      }
    }
  }

  /** Up to this many spans, a trace is scanned rather than indexed. */
  private static final int SCAN = 16;

  private static ReceivedSpan withId(List<ReceivedSpan> spans, String spanId) {
    for (int i = 0, n = spans.size(); i < n; i++) {
      if (spans.get(i).spanId().equals(spanId)) {
        return spans.get(i);
      }
    }
    return null;
  }

  private static boolean hasChild(List<ReceivedSpan> spans, String spanId) {
    for (int i = 0, n = spans.size(); i < n; i++) {
      if (spanId.equals(spans.get(i).parentSpanId())) {
        return true;
      }
    }
    return false;
  }

  private void offerCall(End call, FlowSpec spec) {
    offerCall(call, spec, 0);
  }

  /**
   * An unanswered call: paired with the best pending root, or with a root of a revisable pair that
   * it fits better than its partner does, else kept pending.
   */
  private void offerCall(End call, FlowSpec spec, int displacements) {
    if (call.proto() == Proto.DB) {
      return; // a database answers no trace of its own
    }
    End root = best(call, roots, pairedRoots, spec, true, STRONG);
    if (root != null) {
      take(call, root, spec, displacements);
    } else {
      push(calls, call);
    }
  }

  private void offerRoot(End root, FlowSpec spec) {
    offerRoot(root, spec, 0);
  }

  /** An orphan root: SERVER/CONSUMER meet calls, INTERNAL/PRODUCER meet serving spans. */
  private void offerRoot(End root, FlowSpec spec, int displacements) {
    SpanKind kind = root.span().kind();
    if (kind == SpanKind.SERVER || kind == SpanKind.CONSUMER) {
      End call = best(root, calls, pairedCalls, spec, false, STRONG);
      if (call != null) {
        take(call, root, spec, displacements);
      } else {
        push(roots, root);
      }
    } else if (kind == SpanKind.INTERNAL || kind == SpanKind.PRODUCER) {
      End host = servingAt(root, serving);
      if (host != null) {
        pair(host, root, spec, true);
      } else {
        push(asyncRoots, root);
      }
    }
  }

  /**
   * A SERVER/CONSUMER span: hosts the pending async roots that started while it was in progress.
   */
  private void offerServing(End host, FlowSpec spec) {
    for (Iterator<End> it = asyncRoots.iterator(); it.hasNext(); ) {
      End root = it.next();
      if (hosts(host, root)) {
        it.remove();
        pair(host, root, spec, true);
      }
    }
    serving.addLast(host);
    if (serving.size() > MAX_SERVING) {
      serving.removeFirst();
    }
  }

  private long[] figures(String service) {
    return propagation.computeIfAbsent(service, k -> new long[2]);
  }

  private void push(ArrayDeque<End> pending, End end) {
    pending.addLast(end);
    if (pending.size() > MAX_PENDING) {
      pending.removeFirst();
      droppedEnds++;
    }
  }

  /**
   * The best partner of {@code end} scoring at least {@code min}: a pending end (removed from
   * {@code pending}), or an end of a revisable pair that {@code end} fits better than its partner
   * does (still paired: {@link #take} parts it); null when none.
   */
  private End best(
      End end,
      ArrayDeque<End> pending,
      ArrayDeque<End> paired,
      FlowSpec spec,
      boolean endIsCall,
      long min) {
    End best = null;
    long bestScore = Long.MIN_VALUE;
    for (End other : pending) {
      long score = endIsCall ? score(end, other, spec) : score(other, end, spec);
      if (score > bestScore && score >= min) {
        bestScore = score;
        best = other;
      }
    }
    for (End other : paired) {
      long score = endIsCall ? score(end, other, spec) : score(other, end, spec);
      if (score > bestScore && score >= min && score > other.pairScore) {
        bestScore = score;
        best = other;
      }
    }
    if (best != null && best.partner == null) {
      pending.remove(best);
    }
    return best;
  }

  /**
   * Pairs {@code call} and {@code root}; when one of them was paired (a revisable pair it fits
   * worse), that pair is taken back and its other end offered again. The arrival order of traces so
   * decides nothing: a root that came before its own call, and took another request's overlapping
   * call, gives that call back when the call's own root comes.
   */
  private void take(End call, End root, FlowSpec spec, int displacements) {
    End displacedRoot = call.partner;
    End displacedCall = root.partner;
    if (displacedRoot != null) {
      unpair(call, displacedRoot);
    } else if (displacedCall != null) {
      unpair(displacedCall, root);
    }
    pair(call, root, spec, false);
    if (displacedRoot != null) {
      if (displacements < MAX_DISPLACEMENTS) {
        offerRoot(displacedRoot, spec, displacements + 1);
      } else {
        push(roots, displacedRoot);
      }
    } else if (displacedCall != null) {
      if (displacements < MAX_DISPLACEMENTS) {
        offerCall(displacedCall, spec, displacements + 1);
      } else {
        push(calls, displacedCall);
      }
    }
  }

  /** Takes back a revisable pair: its edge, names and connected trace as if never made. */
  private void unpair(End call, End root) {
    pairedCalls.remove(call);
    pairedRoots.remove(root);
    EdgeFigures e = edges.get(call.key);
    e.count--;
    e.names.computeIfPresent(call.names, (k, n) -> n == 1 ? null : n - 1);
    if (e.count == 0) {
      edges.remove(call.key);
    }
    if (call.connectedTrace()) {
      connectedTracesDelta.accept(+1);
    }
    call.partner = null;
    root.partner = null;
    call.key = null;
    call.names = null;
  }

  /**
   * How well a call and a root fit, or {@code Long.MIN_VALUE} when a rule of §11.3 forbids the
   * pair: higher is better (correlation, the spec's hop, peer attributes, the protocol class, then
   * the nearest start). At least {@link #STRONG} when an attribute backs the pair.
   */
  private long score(End call, End root, FlowSpec spec) {
    ReceivedSpan c = call.span();
    ReceivedSpan r = root.span();
    if (c.traceId().equals(r.traceId())) {
      return Long.MIN_VALUE;
    }
    boolean sync = c.kind() == SpanKind.CLIENT && r.kind() == SpanKind.SERVER;
    boolean messaging = c.kind() == SpanKind.PRODUCER && r.kind() == SpanKind.CONSUMER;
    if (!sync && !messaging) {
      return Long.MIN_VALUE;
    }
    if (call.proto() != Proto.UNKNOWN
        && root.proto() != Proto.UNKNOWN
        && call.proto() != root.proto()) {
      return Long.MIN_VALUE;
    }
    long start = r.startEpochNanos();
    if (sync
        && (start < c.startEpochNanos() - skewNanos || start > c.endEpochNanos() + skewNanos)) {
      return Long.MIN_VALUE;
    }
    if (messaging
        && (start < c.startEpochNanos() - skewNanos || start > c.endEpochNanos() + maxLagNanos)) {
      return Long.MIN_VALUE;
    }
    long score = 0;
    if (call.request() != null && root.request() != null) {
      if (!call.request().equals(root.request())) {
        return Long.MIN_VALUE;
      }
      score += 1_000;
    }
    Hop hop = spec.hopInto(r);
    if (hop != null) {
      if (!hop.from().matches(c)) {
        return Long.MIN_VALUE;
      }
      score += 500;
    }
    Map<String, String> ca = c.attributes();
    Map<String, String> ra = r.attributes();
    // peer.service names the service the caller called: another one's root is no answer to it
    String peer = ca.get("peer.service");
    if (peer != null && !peer.isEmpty()) {
      if (!peer.equals(r.service())) {
        return Long.MIN_VALUE;
      }
      score += 30;
    }
    if (conflict(ca.get("rpc.service"), ra.get("rpc.service"))
        || conflict(ca.get("rpc.method"), ra.get("rpc.method"))) {
      return Long.MIN_VALUE;
    }
    if (conflict(destination(ca), destination(ra))) {
      return Long.MIN_VALUE;
    }
    String callPath = callPath(ca);
    if (callPath != null) {
      String rootPath = stripQuery(first(ra, "url.path", "http.target"));
      String route = ra.get("http.route");
      if (rootPath != null) {
        if (!rootPath.equals(callPath)) {
          return Long.MIN_VALUE;
        }
        score += 50;
      } else if (route != null) {
        if (!routeMatches(route, callPath)) {
          return Long.MIN_VALUE;
        }
        score += 40;
      }
    }
    String callHost = first(ca, "server.address", "net.peer.name");
    String rootHost = first(ra, "server.address", "net.host.name");
    if (rootHost == null && ra.get("http.host") != null) {
      rootHost = ra.get("http.host").replaceFirst(":\\d+$", "");
    }
    if (callHost != null && callHost.equalsIgnoreCase(rootHost)) {
      score += 20;
    }
    String callPort = first(ca, "server.port", "net.peer.port");
    if (callPort != null && callPort.equals(first(ra, "server.port", "net.host.port"))) {
      score += 10;
    }
    if (call.proto() != Proto.UNKNOWN && call.proto() == root.proto()) {
      score += 5; // both say the same protocol: an HTTP call and an HTTP server
    }
    // nearest start last, to the microsecond: below one point, so a peer attribute always outranks
    // it; among concurrent calls on one edge the call that started just before the root is its own
    // (a root that starts before its call is within the clock skew, so it ranks after every root
    // that starts after the call within that skew)
    long after = start - c.startEpochNanos();
    long distanceMicros = (after >= 0 ? after : skewNanos - after) / 1_000;
    return score * STRONG + (TIME_RANGE - Math.min(TIME_RANGE, distanceMicros));
  }

  private static boolean conflict(String a, String b) {
    return a != null && b != null && !a.equals(b);
  }

  private static String destination(Map<String, String> a) {
    return first(a, "messaging.destination.name", "messaging.destination");
  }

  private static String first(Map<String, String> a, String... keys) {
    for (String k : keys) {
      String v = a.get(k);
      if (v != null && !v.isEmpty()) {
        return v;
      }
    }
    return null;
  }

  private static String callPath(Map<String, String> a) {
    String path = stripQuery(first(a, "url.path", "http.target"));
    if (path != null) {
      return path;
    }
    String url = first(a, "url.full", "http.url");
    if (url == null) {
      return null;
    }
    try {
      String p = URI.create(url).getRawPath();
      return p == null || p.isEmpty() ? "/" : p;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String stripQuery(String target) {
    if (target == null) {
      return null;
    }
    int q = target.indexOf('?');
    return q < 0 ? target : target.substring(0, q);
  }

  /** {@code /customer/{id}} or {@code /customer/:id} against {@code /customer/123}. */
  static boolean routeMatches(String route, String path) {
    String[] r = route.split("/", -1);
    String[] p = path.split("/", -1);
    if (r.length != p.length) {
      return route.endsWith("*") && path.startsWith(route.substring(0, route.length() - 1));
    }
    for (int i = 0; i < r.length; i++) {
      boolean param = r[i].startsWith("{") || r[i].startsWith(":") || r[i].equals("*");
      if (!param && !r[i].equals(p[i])) {
        return false;
      }
    }
    return true;
  }

  /** A SERVER/CONSUMER span of the root's service that was in progress when the root started. */
  private End servingAt(End root, ArrayDeque<End> pending) {
    for (Iterator<End> it = pending.descendingIterator(); it.hasNext(); ) {
      End host = it.next();
      if (hosts(host, root)) {
        return host;
      }
    }
    return null;
  }

  private boolean hosts(End host, End root) {
    ReceivedSpan h = host.span();
    ReceivedSpan r = root.span();
    if (!h.service().equals(r.service()) || h.traceId().equals(r.traceId())) {
      return false;
    }
    if (host.request() != null && root.request() != null) {
      return host.request().equals(root.request());
    }
    return r.startEpochNanos() >= h.startEpochNanos() - skewNanos
        && r.startEpochNanos() <= h.endEpochNanos() + skewNanos;
  }

  private void pair(End call, End root, FlowSpec spec, boolean async) {
    ReceivedSpan c = call.span();
    ReceivedSpan r = root.span();
    Hop hop = spec.hopInto(r);
    Hop.Boundary boundary =
        async
            ? Hop.Boundary.ASYNC
            : hop != null
                ? hop.boundary()
                : c.kind() == SpanKind.PRODUCER
                    ? Hop.Boundary.MESSAGING
                    : call.proto() == Proto.RPC || root.proto() == Proto.RPC
                        ? Hop.Boundary.RPC
                        : Hop.Boundary.HTTP;
    boolean likely = async && (call.request() == null || root.request() == null);
    EdgeKey key =
        new EdgeKey(c.service(), r.service(), hop != null ? hop.id() : boundary.id(), likely);
    EdgeFigures e = edges.computeIfAbsent(key, k -> new EdgeFigures());
    e.count++;
    e.hop = hop;
    if (e.example == null) {
      e.example = new BrokenEdge.Example(c.traceId(), c.spanId(), r.traceId(), r.spanId());
    }
    if (!async
        && e.configuration == null
        && OrphanRules.propagatorsDisagree(spec, c.service(), r.service())) {
      e.configuration =
          Fixes.propagators(
              c.service(),
              spec.propagators().get(c.service()),
              r.service(),
              spec.propagators().get(r.service()));
    }
    e.boundary = boundary;
    List<String> names = List.of(c.kind().name(), c.name(), r.kind().name(), r.name());
    if (e.names.containsKey(names) || e.names.size() < 5) {
      e.names.merge(names, 1L, Long::sum);
    }
    if (call.connectedTrace() && !async) {
      connectedTracesDelta.accept(-1);
    }
    if (!async) {
      call.partner = root;
      root.partner = call;
      call.pairScore = root.pairScore = score(call, root, spec);
      call.key = key;
      call.names = names;
      pairedCalls.addLast(call);
      pairedRoots.addLast(root);
      if (pairedCalls.size() > MAX_REVISABLE) {
        End old = pairedCalls.removeFirst();
        pairedRoots.remove(old.partner);
        old.partner.partner = null;
        old.partner = null;
      }
    }
  }

  /** The broken edges so far, most counted first. */
  List<BrokenEdge> edges() {
    List<BrokenEdge> out = new ArrayList<>();
    edges.forEach(
        (k, e) -> {
          Fixes.Side side;
          boolean declared = e.hop != null && e.hop.side() != null;
          if (e.configuration != null) {
            side = Fixes.Side.BETWEEN; // neither side's code: their configurations do not meet
          } else if (declared) {
            side = e.hop.side() == Hop.Side.CALLER ? Fixes.Side.CALLER : Fixes.Side.CALLEE;
          } else if (e.boundary == Hop.Boundary.ASYNC) {
            side = Fixes.Side.EITHER;
          } else {
            boolean injects = figures(k.from())[0] > 0;
            boolean extracts = figures(k.to())[1] > 0;
            side =
                injects && extracts
                    ? Fixes.Side.BETWEEN
                    : injects
                        ? Fixes.Side.CALLEE
                        : extracts ? Fixes.Side.CALLER : Fixes.Side.EITHER;
          }
          String fix =
              e.configuration != null
                  ? e.configuration
                  : e.hop != null && e.hop.fix() != null
                      ? (declared
                              ? side.declared(k.from(), k.to(), e.boundary)
                              : side.sentence(k.from(), k.to()))
                          + e.hop.fix()
                      : Fixes.edge(e.boundary, k.from(), k.to(), side, declared);
          out.add(
              new BrokenEdge(
                  k.from(),
                  k.to(),
                  k.boundary(),
                  e.count,
                  k.likely(),
                  side.id,
                  evidence(e, k.likely()),
                  fix,
                  e.example));
        });
    out.sort((a, b) -> Long.compare(b.count(), a.count()));
    return out;
  }

  private static String evidence(EdgeFigures e, boolean likely) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<List<String>, Long> n : e.names.entrySet()) {
      List<String> k = n.getKey();
      if (sb.length() > 0) {
        sb.append("; ");
      }
      if (e.boundary == Hop.Boundary.ASYNC) {
        sb.append(n.getValue())
            .append(" root ")
            .append(k.get(2))
            .append(" '")
            .append(k.get(3))
            .append("' started while ")
            .append(k.get(0))
            .append(" '")
            .append(k.get(1))
            .append("' ")
            .append(
                likely
                    ? "was in progress"
                    : "of the same request was in progress in another trace");
      } else {
        sb.append(n.getValue())
            .append(" unanswered ")
            .append(k.get(0))
            .append(" '")
            .append(k.get(1))
            .append("' spans <-> ")
            .append(n.getValue())
            .append(" root ")
            .append(k.get(2))
            .append(" '")
            .append(k.get(3))
            .append("'");
      }
    }
    return sb.toString();
  }

  /** Ends that waited for a partner the longest and were dropped at the bound. */
  long droppedEnds() {
    return droppedEnds;
  }

  /** Unanswered calls waiting for a root (calls into uninstrumented services stay here). */
  int pendingCalls() {
    return calls.size();
  }

  /** Unexplained roots waiting for a call. */
  int pendingRoots() {
    return roots.size() + asyncRoots.size();
  }
}
