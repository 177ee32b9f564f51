// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor;

import dev.tracelab.auditor.lab.LabFlowSpecs;
import dev.tracelab.config.Env;
import dev.tracelab.flow.Implementations;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * {@code java -jar lab-auditor.jar}. Environment: {@code BIND_HOST} (0.0.0.0), {@code
 * AUDITOR_OTLP_PORT} (4318), {@code AUDITOR_API_PORT} (8090), {@code AUDITOR_QUIET_MS} (2000),
 * {@code AUDITOR_MAX_TRACES} (100000), {@code AUDITOR_ENTRY_POINTS} (roots allowed besides the
 * first span of the run's flow, as service:KIND, comma separated; none by default), {@code
 * AUDITOR_MAX_INFLIGHT_MB} (memory budget for OTLP requests in flight; 0, the default: a quarter of
 * the heap), {@code AUDITOR_MESH} (false; true: the gateway reaches the worker through the Envoy
 * sidecar, whose spans the expected flow then holds, as in the compose mesh overlay).
 */
public final class AuditorMain {

  private AuditorMain() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("audit")) {
      // the image's audit mode: java -jar lab-auditor.jar audit --listen --entry frontend:SERVER
      System.exit(
          dev.tracelab.auditor.cli.AuditCommand.run(
              java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
      return;
    }
    if (args.length > 0) {
      System.err.println(
          "lab-auditor: unknown argument '"
              + args[0]
              + "' (audit [--help], or none for the lab's auditor)");
      System.exit(2);
      return;
    }
    Env env = Env.system();
    Auditor auditor;
    try {
      auditor =
          Auditor.builder()
              .setHost(env.bindHost())
              .setOtlpPort(env.getInt("AUDITOR_OTLP_PORT", 4318, 0, 65535))
              .setApiPort(env.getInt("AUDITOR_API_PORT", 8090, 0, 65535))
              .setQuietWindow(Duration.ofMillis(env.getInt("AUDITOR_QUIET_MS", 2000, 1, 3_600_000)))
              .setMaxTraces(env.getInt("AUDITOR_MAX_TRACES", 100_000, 1, 10_000_000))
              .setMaxInFlightBytes(
                  env.getInt("AUDITOR_MAX_INFLIGHT_MB", 0, 0, 2047) * 1024L * 1024L)
              .setEntryPoints(
                  Arrays.stream(env.get("AUDITOR_ENTRY_POINTS", "").split(","))
                      .map(String::trim)
                      .filter(s -> !s.isEmpty())
                      .collect(Collectors.toSet()))
              .setInitialRun(
                  LabFlowSpecs.setup(
                      "since-start",
                      java.util.Map.of(),
                      env.getBoolean("AUDITOR_MESH", false)
                          ? Implementations.JAVA.withMesh()
                          : Implementations.JAVA,
                      java.util.Map.of()))
              .addCloseListener(TraceLog::print)
              .start();
    } catch (IllegalArgumentException e) {
      System.err.println("lab-auditor: " + e.getMessage());
      System.exit(2);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(auditor::close));
    System.out.println(
        "lab-auditor: OTLP on "
            + auditor.otlpEndpoint()
            + "/v1/traces, API on "
            + auditor.apiUrl());
  }
}
