// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.service;

import dev.tracelab.env.Versions;
import dev.tracelab.flow.Instrumentation;
import dev.tracelab.flow.Language;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code --instrumentation agent} (docs/auto-instrumentation.md): the same services, the same SDK
 * code, plus zero-code instrumentation.
 *
 * <ul>
 *   <li>{@code java-agent}: the Java service's main class in a child JVM started with {@code
 *       -javaagent:opentelemetry-javaagent.jar} (Maven Central, {@code opentelemetry-javaagent
 *       .version} in the root pom). The agent reads the same {@code OTEL_*} variables as the
 *       service's own SDK ({@link ServiceSpec#environment(int)}: service name, the auditor's OTLP
 *       endpoint, propagators, batch delay), so both export to the auditor under the role's name.
 *   <li>{@code node-auto}: the Node.js worker with
 *       {@code @opentelemetry/auto-instrumentations-node} ({@link
 *       NodeImplementation#autoInstrumented}).
 *   <li>Go: no zero-code instrumentation; a Go role keeps its SDK.
 * </ul>
 */
public final class AgentInstrumentation {

  /** {@code opentelemetry-javaagent.version}: the Java agent's version. */
  public static final String JAVA_AGENT_VERSION = Versions.JAVA_AGENT;

  /**
   * What the Java agent gets on top of the spec's {@code OTEL_*} variables: no metrics or logs to
   * the trace receiver (the services' own SDKs export none either), and no start-up banner noise.
   */
  static final Map<String, String> JAVA_ENV =
      Map.of(
          "OTEL_METRICS_EXPORTER", "none",
          "OTEL_LOGS_EXPORTER", "none",
          "OTEL_JAVAAGENT_LOGGING", "simple");

  /**
   * What the Node.js auto-instrumentation gets: the libraries the worker uses (HTTP and kafkajs;
   * {@code net}/{@code dns} would add a span per socket and lookup), and resource detectors that
   * never call a cloud metadata endpoint.
   */
  static final Map<String, String> NODE_ENV =
      Map.of(
          "OTEL_NODE_ENABLED_INSTRUMENTATIONS", "http,kafkajs",
          "OTEL_NODE_RESOURCE_DETECTORS", "env,host,os,process",
          "OTEL_METRICS_EXPORTER", "none",
          "OTEL_LOGS_EXPORTER", "none");

  private static ServiceImplementation javaAgent;
  private static ServiceImplementation nodeAuto;

  private AgentInstrumentation() {}

  /** The implementation a role in {@code language} runs under {@code instrumentation}. */
  public static ServiceImplementation of(Language language, Instrumentation instrumentation) {
    if (instrumentation.of(language) == Instrumentation.SDK) {
      return ServiceImplementation.of(language);
    }
    return language == Language.JAVA ? javaAgent() : nodeAuto();
  }

  /** The instrumentation a running implementation stands for ({@code java-agent}, ...). */
  public static Instrumentation instrumentationOf(ServiceImplementation implementation) {
    return implementation.id().equals("java-agent") || implementation.id().equals("node-auto")
        ? Instrumentation.AGENT
        : Instrumentation.SDK;
  }

  /** {@code java-agent}: the Java services as child JVMs under the OpenTelemetry Java agent. */
  public static synchronized ServiceImplementation javaAgent() {
    if (javaAgent == null) {
      javaAgent =
          ChildProcessImplementation.javaMain(
                  "java-agent",
                  java.util.stream.Stream.concat(
                          java.util.stream.Stream.of(
                              "-javaagent:" + javaAgentJar().toAbsolutePath()),
                          ChildProcessImplementation.LAB_JVM.stream())
                      .toList())
              .environment(JAVA_ENV)
              .build();
    }
    return javaAgent;
  }

  /** {@code node-auto}: the Node.js worker with the Node.js auto-instrumentations. */
  public static synchronized ServiceImplementation nodeAuto() {
    if (nodeAuto == null) {
      nodeAuto = NodeImplementation.autoInstrumented(SourceTree.root());
    }
    return nodeAuto;
  }

  /**
   * The agent jar: {@code TRACELAB_JAVAAGENT_JAR}, else the copy the lab-env build makes ({@code
   * lab-env/target/agent/opentelemetry-javaagent.jar}), else the local Maven repository.
   */
  public static Path javaAgentJar() {
    String env = System.getenv("TRACELAB_JAVAAGENT_JAR");
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      if (!Files.isRegularFile(p)) {
        throw new IllegalStateException("TRACELAB_JAVAAGENT_JAR=" + env + " is not a file");
      }
      return p;
    }
    Path copy = null;
    try {
      copy =
          SourceTree.root()
              .resolve(
                  "lab-env/target/agent/opentelemetry-javaagent-" + JAVA_AGENT_VERSION + ".jar");
      if (Files.isRegularFile(copy)) {
        return copy;
      }
    } catch (IllegalStateException noSourceTree) {
      // no checkout: the local Maven repository only
    }
    Path m2 =
        Path.of(
            System.getProperty("user.home"),
            ".m2/repository/io/opentelemetry/javaagent/opentelemetry-javaagent",
            JAVA_AGENT_VERSION,
            "opentelemetry-javaagent-" + JAVA_AGENT_VERSION + ".jar");
    if (Files.isRegularFile(m2)) {
      return m2;
    }
    throw new IllegalStateException(
        "no OpenTelemetry Java agent "
            + JAVA_AGENT_VERSION
            + " at "
            + (copy == null ? m2 : copy)
            + ": build lab-env (./mvnw -pl lab-env -am package -DskipTests) or set"
            + " TRACELAB_JAVAAGENT_JAR");
  }
}
