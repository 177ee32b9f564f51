// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.experiments.scenario;

import dev.tracelab.auditor.Auditor;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.flow.Flow;
import io.opentelemetry.api.trace.SpanKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The gateway -> worker HTTP hop of a run's requests, read from the spans the auditor received
 * (docs/design.md §8): how long the gateway's CLIENT span lasted, and how much of that the worker
 * did not account for (CLIENT minus the worker's SERVER span: network, HTTP stacks and, in mesh
 * mode, the Envoy sidecar). Comparing a run without the mesh with one through it, in the same lab,
 * gives what the sidecar adds per hop.
 *
 * @param clientMs per request: the gateway's CLIENT span, in ms
 * @param overheadMs per request: CLIENT minus the worker's SERVER span, in ms
 * @param sidecarMs per request in mesh mode: the sidecar's SERVER span minus the worker's SERVER
 *     span (Envoy's own share of the hop), in ms; empty without the mesh
 */
public record HopLatency(double[] clientMs, double[] overheadMs, double[] sidecarMs) {

  /**
   * The hop of each order whose one trace holds the gateway's CLIENT and the worker's SERVER span.
   */
  public static HopLatency of(Auditor auditor, List<String> orderIds) {
    List<Double> client = new ArrayList<>();
    List<Double> overhead = new ArrayList<>();
    List<Double> sidecar = new ArrayList<>();
    for (String orderId : orderIds) {
      ReceivedSpan gatewayClient = null;
      ReceivedSpan workerServer = null;
      ReceivedSpan sidecarServer = null;
      for (AssembledTrace t : auditor.tracesOfOrder(orderId)) {
        for (ReceivedSpan s : t.spans()) {
          if (s.service().equals(Flow.GATEWAY) && s.kind() == SpanKind.CLIENT) {
            gatewayClient = s;
          } else if (s.service().equals(Flow.WORKER) && s.kind() == SpanKind.SERVER) {
            workerServer = s;
          } else if (s.service().equals(Flow.SIDECAR) && s.kind() == SpanKind.SERVER) {
            sidecarServer = s;
          }
        }
      }
      if (gatewayClient == null || workerServer == null) {
        continue;
      }
      client.add(gatewayClient.durationMs());
      overhead.add(gatewayClient.durationMs() - workerServer.durationMs());
      if (sidecarServer != null) {
        sidecar.add(sidecarServer.durationMs() - workerServer.durationMs());
      }
    }
    return new HopLatency(array(client), array(overhead), array(sidecar));
  }

  public int requests() {
    return clientMs.length;
  }

  /** Nearest-rank percentile of {@code values} ({@code NaN} when empty). */
  public static double percentile(double[] values, double p) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /** One line: CLIENT and overhead p50/p99 (and the sidecar's share when there is one). */
  public String line(String label) {
    String line =
        String.format(
            Locale.ROOT,
            "  %-13s %4d requests   gateway CLIENT p50 %6.2f ms  p99 %6.2f ms   hop overhead p50 %6.2f ms  p99 %6.2f ms",
            label,
            requests(),
            percentile(clientMs, 50),
            percentile(clientMs, 99),
            percentile(overheadMs, 50),
            percentile(overheadMs, 99));
    if (sidecarMs.length > 0) {
      line +=
          String.format(
              Locale.ROOT,
              "   (Envoy's own share p50 %5.2f ms  p99 %5.2f ms)",
              percentile(sidecarMs, 50),
              percentile(sidecarMs, 99));
    }
    return line;
  }

  /** The figures as the report JSON carries them (ms, rounded to 0.01). */
  public Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("requests", requests());
    m.put("clientP50Ms", round(percentile(clientMs, 50)));
    m.put("clientP99Ms", round(percentile(clientMs, 99)));
    m.put("overheadP50Ms", round(percentile(overheadMs, 50)));
    m.put("overheadP99Ms", round(percentile(overheadMs, 99)));
    if (sidecarMs.length > 0) {
      m.put("sidecarP50Ms", round(percentile(sidecarMs, 50)));
      m.put("sidecarP99Ms", round(percentile(sidecarMs, 99)));
    }
    return m;
  }

  /**
   * The lines comparing a run without the mesh ({@code plain}) with one through it ({@code mesh}):
   * each run's figures, then what the sidecar added to the hop (difference of the percentiles).
   */
  public static List<String> compare(HopLatency plain, HopLatency mesh) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "The gateway -> worker hop (fixed; hop overhead = gateway CLIENT span minus worker SERVER span):");
    lines.add(plain.line("without mesh"));
    lines.add(mesh.line("with mesh"));
    lines.add(
        String.format(
            Locale.ROOT,
            "  Envoy adds    p50 %+.2f ms, p99 %+.2f ms to the hop's overhead (gateway CLIENT: p50 %+.2f ms, p99 %+.2f ms)",
            percentile(mesh.overheadMs, 50) - percentile(plain.overheadMs, 50),
            percentile(mesh.overheadMs, 99) - percentile(plain.overheadMs, 99),
            percentile(mesh.clientMs, 50) - percentile(plain.clientMs, 50),
            percentile(mesh.clientMs, 99) - percentile(plain.clientMs, 99)));
    return lines;
  }

  private static double[] array(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static Double round(double v) {
    return Double.isNaN(v) ? null : Math.round(v * 100) / 100.0;
  }
}
