// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.service;

import dev.tracelab.env.process.ChildProcess;
import dev.tracelab.env.process.LocalHost;
import dev.tracelab.flow.Flow;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A service as a child process: a command line per role, configured by the environment of {@link
 * ServiceSpec#environment(int)}, ready when {@code GET /health} answers 200, supervised as a {@link
 * ChildProcess} (it never outlives this JVM; SIGTERM, then SIGKILL after the grace period). See
 * {@link ServiceImplementation} for what the program must provide.
 *
 * <pre>{@code
 * ServiceImplementation go = ChildProcessImplementation.builder("go", role -> List.of(role + "/go/" + role))
 *     .workingDirectory(repoRoot).build();
 * LabEnvironment.builder().implementation(Flow.GATEWAY, go).start();
 * }</pre>
 */
public final class ChildProcessImplementation implements ServiceImplementation {

  /** The Java services' main classes, by role. */
  static final Map<String, String> JAVA_MAIN_CLASSES =
      Map.of(
          Flow.GATEWAY, "dev.tracelab.gateway.GatewayMain",
          Flow.WORKER, "dev.tracelab.worker.WorkerMain",
          Flow.CONSUMER, "dev.tracelab.consumer.ConsumerMain");

  private final Builder config;

  private ChildProcessImplementation(Builder config) {
    this.config = config;
  }

  /**
   * @param id what {@link #id()} answers ({@code go}, {@code node}, ...)
   * @param command the program and arguments for a role ({@code gateway-svc} ...)
   */
  public static Builder builder(String id, Function<String, List<String>> command) {
    return new Builder(id, command);
  }

  /**
   * {@code java-process}: {@code java -cp <this JVM's class path> <role's main class>} (for example
   * {@code dev.tracelab.gateway.GatewayMain}), the same main a service image runs.
   */
  public static ChildProcessImplementation javaMain() {
    return javaMain(LAB_JVM);
  }

  /**
   * The lab's child JVM options: a small heap, quick start (C1 only): many labs start and stop in a
   * test run.
   */
  public static final List<String> LAB_JVM =
      List.of("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  /** As {@link #javaMain()}, with these JVM options instead of {@link #LAB_JVM}. */
  public static ChildProcessImplementation javaMain(List<String> jvmOptions) {
    return javaMain("java-process", jvmOptions).build();
  }

  /**
   * {@code java -cp <this JVM's class path> <role's main class>} with {@code jvmOptions} before the
   * class path (for example {@code -javaagent:...} and {@link #LAB_JVM}), as a builder to add
   * environment variables.
   */
  static Builder javaMain(String id, List<String> jvmOptions) {
    String classPath = System.getProperty("java.class.path");
    List<String> options = List.copyOf(jvmOptions);
    return builder(
            id,
            role -> {
              String main = JAVA_MAIN_CLASSES.get(role);
              if (main == null) {
                throw new IllegalArgumentException("no Java main class for role " + role);
              }
              List<String> command = new java.util.ArrayList<>();
              command.add(LocalHost.javaBin());
              command.addAll(options);
              command.addAll(List.of("-cp", classPath, main));
              return command;
            })
        .language("java");
  }

  @Override
  public String id() {
    return config.id;
  }

  @Override
  public String language() {
    return config.language;
  }

  @Override
  public RunningService start(ServiceSpec spec) {
    int port = spec.port() > 0 ? spec.port() : LocalHost.freePort();
    ChildProcess process =
        ChildProcess.builder(spec.role(), config.command.apply(spec.role()))
            .env(environment(spec, port))
            .workingDirectory(config.workingDirectory)
            .log(spec.log())
            .healthUrl(URI.create("http://127.0.0.1:" + port + "/health"))
            .startTimeout(config.startTimeout)
            .stopGrace(config.stopGrace)
            .start()
            .awaitReady();
    return new RunningProcess(spec.role(), config.id, port, process);
  }

  /** The spec's environment, then this implementation's own variables (they win). */
  private Map<String, String> environment(ServiceSpec spec, int port) {
    Map<String, String> env = new LinkedHashMap<>(spec.environment(port));
    env.putAll(config.environment);
    return env;
  }

  public static final class Builder {
    private final String id;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final Function<String, List<String>> command;
    private String language;
    private Path workingDirectory;
    private Duration startTimeout = Duration.ofSeconds(60);
    private Duration stopGrace = Duration.ofSeconds(10);

    private Builder(String id, Function<String, List<String>> command) {
      this.id = id;
      this.language = id;
      this.command = command;
    }

    /** The language id of docs/design.md §7 when it is not the {@code id} (default: the id). */
    public Builder language(String language) {
      this.language = language;
      return this;
    }

    /**
     * Variables every process of this implementation gets on top of {@link
     * ServiceSpec#environment(int)} (they win over it), e.g. the Java agent's settings.
     */
    public Builder environment(Map<String, String> variables) {
      environment.putAll(variables);
      return this;
    }

    /** Where the commands run (default: this JVM's working directory). */
    public Builder workingDirectory(Path dir) {
      this.workingDirectory = dir;
      return this;
    }

    /** Launch to {@code GET /health} 200 (default 60 s). */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /** SIGTERM to SIGKILL (default 10 s): time to flush spans. */
    public Builder stopGrace(Duration grace) {
      this.stopGrace = grace;
      return this;
    }

    public ChildProcessImplementation build() {
      return new ChildProcessImplementation(this);
    }
  }
}
