// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.experiments.chaos;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@link ChaosEnvironment} on the compose stack ({@code compose/docker-compose.yml}) in a project
 * of its own, driven with the {@code docker} CLI: the broker is stopped and started ({@code docker
 * compose stop/start kafka}), the auditor likewise. The worker and the consumer are killed with
 * SIGKILL to the container's main process, sent from the host as the kernel's OOM killer would:
 * Docker sees the container die and its restart policy ({@code unless-stopped}) brings it back;
 * this class only waits until it runs again and is healthy. ({@code docker kill} would not do:
 * Docker counts it as a manual stop and the restart policy leaves the container down. Where the
 * container's process cannot be signalled from here, e.g. Docker running in a VM, that is the
 * fallback, and the container is then started with {@code docker start}.) The consumer keeps its
 * ledger in a volume ({@code LEDGER_FILE}), so a killed consumer's successor knows what was done;
 * the ledger is read on the consumer's published port.
 */
public final class ComposeChaosEnvironment implements ChaosEnvironment, AutoCloseable {

  private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration BACK_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration POLL = Duration.ofMillis(250);

  private final Path composeFile;
  private final String project;
  private final Map<String, String> env;
  private final Consumer<String> progress;
  private volatile URI gatewayUrl;
  private volatile URI consumerUrl;

  /** The killed consumer and worker containers, until they run again. */
  private Killed consumerKilled;

  private Killed workerKilled;

  /** A killed container: when it had started, and whether its restart is the lab's job. */
  private record Killed(String id, String startedAt, boolean startByHand) {}

  private ComposeChaosEnvironment(
      Path composeFile, String project, Map<String, String> env, Consumer<String> progress) {
    this.composeFile = composeFile;
    this.project = project;
    this.env = Map.copyOf(env);
    this.progress = progress;
  }

  /**
   * Starts the stack ({@code docker compose up -d --wait}) as project {@code project} and returns
   * once every service is healthy.
   *
   * @param env added to the commands' environment (GATEWAY_PORT, WORKER_LANG, ...)
   */
  public static ComposeChaosEnvironment up(
      Path composeFile, String project, Map<String, String> env, Consumer<String> progress) {
    if (!Files.isRegularFile(composeFile)) {
      throw new IllegalStateException("no compose file at " + composeFile);
    }
    ComposeChaosEnvironment stack =
        new ComposeChaosEnvironment(composeFile, project, env, progress);
    try {
      stack.compose(
          "up", "-d", "--wait", "--wait-timeout", Long.toString(BACK_TIMEOUT.toSeconds() * 2));
      stack.gatewayUrl = stack.published("gateway", 8080);
      stack.consumerUrl = stack.published("consumer", 8082);
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
    return stack;
  }

  @Override
  public URI gatewayUrl() {
    return gatewayUrl;
  }

  @Override
  public URI consumerUrl() {
    return consumerUrl;
  }

  @Override
  public void stopBroker() {
    compose("stop", "kafka");
  }

  @Override
  public void startBroker() {
    compose("start", "kafka");
    awaitHealthy("kafka", null);
  }

  @Override
  public void killConsumer() {
    consumerKilled = kill("consumer");
  }

  @Override
  public void restartConsumer() {
    backAgain("consumer", consumerKilled);
    consumerUrl = published("consumer", 8082);
  }

  @Override
  public void killWorker() {
    workerKilled = kill("worker");
  }

  @Override
  public void restartWorker() {
    backAgain("worker", workerKilled);
  }

  @Override
  public void stopAuditor() {
    compose("stop", "auditor");
  }

  @Override
  public void startAuditor() {
    compose("start", "auditor");
    awaitHealthy("auditor", null);
  }

  /** {@code docker compose down -v}: containers, network and the ledger volume go. */
  @Override
  public void close() {
    try {
      compose("down", "-v", "--remove-orphans");
    } catch (RuntimeException e) {
      progress.accept("could not take the compose project " + project + " down: " + e.getMessage());
    }
  }

  /** SIGKILL to the main process of the service's container. */
  private Killed kill(String service) {
    String id = containerId(service);
    String[] state =
        docker("inspect", "-f", "{{.State.StartedAt}} {{.State.Pid}} {{.Id}}", id)
            .strip()
            .split(" ");
    long pid = Long.parseLong(state[1]);
    boolean signalled =
        inContainer(pid, state[2])
            && ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false);
    if (!signalled) {
      progress.accept(
          service
              + ": its process (pid "
              + pid
              + ") cannot be signalled from here; docker kill -s KILL,"
              + " then docker start (the restart policy does not apply after docker kill)");
      docker("kill", "-s", "KILL", id);
    }
    return new Killed(id, state[0], !signalled);
  }

  /**
   * Whether {@code pid} on this host is the container's process: its cgroup names the container (a
   * daemon in a VM reports pids of the VM, which here may be any other process).
   */
  private static boolean inContainer(long pid, String containerId) {
    if (pid <= 0) {
      return false;
    }
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "cgroup")).contains(containerId);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Returns when the killed container runs again, started after the kill, and is healthy. */
  private void backAgain(String service, Killed killed) {
    if (killed.startByHand()) {
      docker("start", killed.id());
    }
    awaitHealthy(service, killed.startedAt());
  }

  /**
   * Waits until the service's container runs, started after {@code notStartedAt} (when given: the
   * restart policy brought a killed one back), and is healthy.
   */
  private void awaitHealthy(String service, String notStartedAt) {
    String id = containerId(service);
    long deadline = System.nanoTime() + BACK_TIMEOUT.toNanos();
    String state = "";
    while (System.nanoTime() < deadline) {
      state =
          docker(
                  "inspect",
                  "-f",
                  "{{.State.Status}} {{.State.StartedAt}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}",
                  id)
              .strip();
      String[] f = state.split(" ");
      boolean restarted = notStartedAt == null || !f[1].equals(notStartedAt);
      if (f[0].equals("running") && restarted && (f[2].equals("healthy") || f[2].equals("none"))) {
        return;
      }
      pause();
    }
    throw new IllegalStateException(
        service
            + " did not come back healthy within "
            + BACK_TIMEOUT.toSeconds()
            + " s (state: "
            + state
            + ")");
  }

  private String containerId(String service) {
    String id = compose("ps", "-a", "-q", service).strip();
    if (id.isEmpty() || id.contains("\n")) {
      throw new IllegalStateException(
          "compose project "
              + project
              + ": expected one "
              + service
              + " container, got '"
              + id
              + "'");
    }
    return id;
  }

  /** The host address compose published {@code port} of {@code service} on. */
  private URI published(String service, int port) {
    String address = compose("port", service, Integer.toString(port)).strip();
    int colon = address.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalStateException(
          service + ":" + port + " is not published: '" + address + "'");
    }
    String host = address.substring(0, colon);
    if (host.equals("0.0.0.0") || host.isEmpty()) {
      host = "127.0.0.1";
    }
    return URI.create("http://" + host + ":" + address.substring(colon + 1));
  }

  private String compose(String... args) {
    List<String> command =
        new ArrayList<>(List.of("compose", "-p", project, "-f", composeFile.toString()));
    command.addAll(List.of(args));
    return docker(command.toArray(String[]::new));
  }

  private String docker(String... args) {
    List<String> command = new ArrayList<>();
    command.add("docker");
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    try {
      Path output = Files.createTempFile("tracelab-docker", ".out");
      Path errors = Files.createTempFile("tracelab-docker", ".err");
      try {
        Process process =
            builder.redirectOutput(output.toFile()).redirectError(errors.toFile()).start();
        if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new IllegalStateException(
              String.join(" ", command)
                  + ": no answer within "
                  + COMMAND_TIMEOUT.toMinutes()
                  + " min");
        }
        if (process.exitValue() != 0) {
          throw new IllegalStateException(
              String.join(" ", command)
                  + " failed ("
                  + process.exitValue()
                  + "): "
                  + Files.readString(errors, StandardCharsets.UTF_8).strip());
        }
        return Files.readString(output, StandardCharsets.UTF_8);
      } finally {
        Files.deleteIfExists(output);
        Files.deleteIfExists(errors);
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run docker (is it installed and on PATH?): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
    }
  }

  private static void pause() {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
