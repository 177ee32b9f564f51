// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Implementation;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Instrumentation;
import dev.tracelab.flow.Language;
import picocli.CommandLine.Option;

/**
 * LANG: the options choosing each role's language (docs/design.md §7), {@code --polyglot}, {@code
 * --mesh} (docs/design.md §8) and {@code --instrumentation sdk|agent} (docs/design.md §14), for the
 * commands that run a lab.
 */
final class LanguageOptions {

  @Option(
      names = "--gateway-lang",
      paramLabel = "java|go",
      description = "the gateway's implementation (default java)")
  private String gatewayLang;

  @Option(
      names = "--worker-lang",
      paramLabel = "java|node",
      description = "the worker's implementation (default java)")
  private String workerLang;

  @Option(
      names = "--consumer-lang",
      paramLabel = "java|go",
      description = "the consumer's implementation (default java)")
  private String consumerLang;

  @Option(
      names = "--polyglot",
      description =
          "go/node/go (Go 1.26+ and Node.js 20.6+, built on first use); a --<role>-lang overrides"
              + " one role")
  private boolean polyglot;

  @Option(
      names = "--mesh",
      description =
          "the gateway -> worker hop through a real Envoy sidecar (envoy-sidecar spans; needs"
              + " compose/mesh/install-envoy.sh or TRACELAB_ENVOY_BIN)")
  private boolean mesh;

  @Option(
      names = "--instrumentation",
      paramLabel = "sdk|agent",
      description =
          "the services' instrumentation: sdk (default) or agent (docs/auto-instrumentation.md)")
  private String instrumentation;

  /** Whether {@code --polyglot} or a {@code --<role>-lang} option was given. */
  boolean choosesLanguages() {
    return polyglot || gatewayLang != null || workerLang != null || consumerLang != null;
  }

  boolean mesh() {
    return mesh;
  }

  /** Whether {@code --instrumentation} was given. */
  boolean instrumentationGiven() {
    return instrumentation != null;
  }

  /**
   * The language of each role: {@code --polyglot} is go/node/go, {@code --gateway-lang L}, {@code
   * --worker-lang L}, {@code --consumer-lang L} set (or override) one role; java by default. {@code
   * --mesh} adds the Envoy sidecar in front of the worker.
   */
  Implementations implementations() {
    Implementations base = polyglot ? Implementations.POLYGLOT : Implementations.JAVA;
    Implementations chosen =
        new Implementations(
            implementation(Flow.GATEWAY, "gateway-lang", gatewayLang, base),
            implementation(Flow.WORKER, "worker-lang", workerLang, base),
            implementation(Flow.CONSUMER, "consumer-lang", consumerLang, base));
    return mesh ? chosen.withMesh() : chosen;
  }

  /** {@code --instrumentation sdk|agent}; {@code sdk} by default. */
  Instrumentation instrumentation() {
    if (instrumentation == null) {
      return Instrumentation.SDK;
    }
    try {
      return Instrumentation.parse(instrumentation);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--instrumentation: " + e.getMessage());
    }
  }

  private static Implementation implementation(
      String role, String option, String raw, Implementations base) {
    if (raw == null) {
      return base.of(role);
    }
    try {
      return Implementation.of(role, Language.parse(raw));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--" + option + ": " + e.getMessage());
    }
  }
}
