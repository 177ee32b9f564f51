// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.service;

import dev.tracelab.flow.Language;

/**
 * How one role of the flow ({@code gateway-svc}, {@code worker-svc}, {@code consumer-svc}) runs in
 * the lab: in this JVM, as a child JVM, or as a program in another language. The environment picks
 * one per role ({@code LabEnvironment.builder().implementation(Flow.WORKER, ...)}) and treats them
 * all alike: start with a {@link ServiceSpec}, talk to {@link RunningService#url()}, close.
 *
 * <ul>
 *   <li>{@code java} — {@link #inProcess()}: the Java service in this JVM with its own SDK (the
 *       default; three SDKs in one JVM).
 *   <li>{@code java-process} — {@link #javaProcess()}: the Java service's main class in a child
 *       JVM.
 *   <li>any other program — {@link ChildProcessImplementation#builder}: one command line per role.
 * </ul>
 *
 * <h2>Adding a language</h2>
 *
 * {@link #go()} and {@link #node()} run this checkout's Go and Node.js implementations (in the role
 * folders: {@code gateway-svc/go/}, {@code worker-svc/node/}, {@code consumer-svc/go/}), building
 * them on first use; {@code LabEnvironment.builder().implementations(Implementations.POLYGLOT)}
 * picks them per role. Another language is one command line per role, for example:
 *
 * <pre>{@code
 * ServiceImplementation python = ChildProcessImplementation.builder("python", role -> List.of("python3", role + "/python/main.py"))
 *     .workingDirectory(repoRoot).build();
 * LabEnvironment.builder().implementation(Flow.WORKER, python).start();
 * }</pre>
 *
 * The program must:
 *
 * <ul>
 *   <li>read its configuration only from the environment {@link ServiceSpec#environment(int)} gives
 *       it: {@code PORT}, {@code BIND_HOST}, {@code WORKER_URL} (gateway), {@code
 *       KAFKA_BOOTSTRAP_SERVERS} (worker, consumer), {@code TRACELAB_VARIANT} ({@code fixed}|{@code
 *       broken}), {@code OTEL_SERVICE_NAME}, {@code OTEL_EXPORTER_OTLP_ENDPOINT} (OTLP/HTTP
 *       protobuf base URL) and the other standard {@code OTEL_*} variables;
 *   <li>answer {@code GET /health} with 200 on {@code PORT} once it is ready (the consumer too: its
 *       {@code PORT} serves only health);
 *   <li>produce the spans of docs/design.md §2 under its role's service name, and the defects of §3
 *       when {@code TRACELAB_VARIANT=broken};
 *   <li>on SIGTERM, stop and flush its spans within the stop grace period (default 10 s).
 * </ul>
 */
public interface ServiceImplementation {

  /** {@code java}, {@code java-process}, {@code go}, {@code node}, ... (in logs and errors). */
  String id();

  /**
   * The language id of docs/design.md §7 ({@code java}, {@code go}, {@code node}): what a report's
   * {@code "implementations"} names. A child JVM is still {@code java}.
   */
  default String language() {
    return id();
  }

  /**
   * Starts the role's service as {@code spec} says; returns once it answers {@code GET /health}
   * with 200, else throws (with the log tail for a child process).
   */
  RunningService start(ServiceSpec spec);

  /** The Java services in this JVM, each with its own SDK. */
  static ServiceImplementation inProcess() {
    return InProcessJava.INSTANCE;
  }

  /** The Java services' main classes, each in a child JVM with this JVM's class path. */
  static ServiceImplementation javaProcess() {
    return ChildProcessImplementation.javaMain();
  }

  /** {@code go}: the role's Go program, built on first use ({@link GoImplementation}). */
  static ServiceImplementation go() {
    return Shared.GO.get();
  }

  /**
   * {@code node}: the role's Node.js program, installed on first use ({@link NodeImplementation}).
   */
  static ServiceImplementation node() {
    return Shared.NODE.get();
  }

  /** The implementation of a language: {@code java} in this JVM, {@code go}, {@code node}. */
  static ServiceImplementation of(Language language) {
    return switch (language) {
      case JAVA -> inProcess();
      case GO -> go();
      case NODE -> node();
      case CPP ->
          throw new IllegalArgumentException(
              "no lab service is written in C++ (Envoy is a sidecar: --mesh)");
      case BROWSER ->
          throw new IllegalArgumentException(
              "browser: the page runs in a browser, not as a lab service (see FrontendServer)");
    };
  }
}
