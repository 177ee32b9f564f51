// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Runs a container suite only where it can run: a Docker engine answers, the images it needs exist
 * locally (nothing is pulled) and, for the compose suite, {@code docker compose} (Compose V2)
 * works.
 *
 * <p>{@code -Dtracelab.containers=optional} (the default, a laptop): otherwise the suite is skipped
 * with the reason; the embedded suite covers the same scenarios without Docker. {@code
 * -Dtracelab.containers=required} (CI, set by .ci/run): a missing piece FAILS the suite instead.
 */
abstract class ContainersAvailable implements ExecutionCondition {

  static final String MODE = System.getProperty("tracelab.containers", "optional");

  /** Images the suite runs, by their local tag. */
  abstract List<String> images();

  /** Whether the suite drives {@code docker compose}. */
  boolean needsCompose() {
    return false;
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    String suite = context.getRequiredTestClass().getSimpleName();
    String missing = missing();
    if (missing == null) {
      return ConditionEvaluationResult.enabled("Docker and the images are available");
    }
    if ("required".equals(MODE)) {
      throw new IllegalStateException(suite + ": -Dtracelab.containers=required, but " + missing);
    }
    System.out.println("[" + suite + "] SKIPPED: " + missing);
    return ConditionEvaluationResult.disabled(missing);
  }

  /** What is missing, or null when nothing is. */
  private String missing() {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      return "no Docker engine available: container suites skipped (the embedded suite still runs). "
          + "Start Docker, build the images (compose/build-images.sh) and run ./mvnw verify again.";
    }
    List<String> missing = new ArrayList<>();
    for (String image : images()) {
      try {
        DockerClientFactory.instance().client().inspectImageCmd(image).exec();
      } catch (com.github.dockerjava.api.exception.NotFoundException e) {
        missing.add(image);
      }
    }
    if (!missing.isEmpty()) {
      return "images missing locally: "
          + String.join(", ", missing)
          + ". Build them: ./mvnw -B -DskipTests package && compose/build-images.sh"
          + " (upstream images: docker pull, or compose/standins/build-standins.sh on a"
          + " registry-less machine)";
    }
    if (needsCompose()) {
      String compose = composeVersion();
      if (compose == null) {
        return "`docker compose version` fails: Compose V2 (the docker CLI plugin) is needed"
            + " (compose/standins/build-compose.sh builds it on a machine without downloads)";
      }
    }
    return null;
  }

  /** The first line of {@code docker compose version}, or null when it does not work. */
  static String composeVersion() {
    try {
      Process p =
          new ProcessBuilder("docker", "compose", "version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).strip();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return null;
      }
      return out.lines().findFirst().orElse(out);
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
