// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Runs a container test only where a Docker engine answers and the auditor image exists locally
 * (nothing is pulled), as lab-tests' {@code ContainersAvailable} does: {@code
 * -Dtracelab.containers=optional} (default) skips with the reason, {@code required} (CI) fails.
 */
final class AuditorImageAvailable implements ExecutionCondition {

  /** The image under test: {@code tracelab/auditor:<tracelab.image.tag>} (default {@code dev}). */
  static final String IMAGE = "tracelab/auditor:" + System.getProperty("tracelab.image.tag", "dev");

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    String missing = missing();
    if (missing == null) {
      return ConditionEvaluationResult.enabled("Docker and " + IMAGE + " are available");
    }
    String suite = context.getRequiredTestClass().getSimpleName();
    if ("required".equals(System.getProperty("tracelab.containers", "optional"))) {
      throw new IllegalStateException(suite + ": -Dtracelab.containers=required, but " + missing);
    }
    System.out.println("[" + suite + "] SKIPPED: " + missing);
    return ConditionEvaluationResult.disabled(missing);
  }

  private static String missing() {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      return "no Docker engine available: the container test is skipped (the in-process tests still run)."
          + " Start Docker, build the image (compose/build-images.sh) and run ./mvnw verify again.";
    }
    try {
      DockerClientFactory.instance().client().inspectImageCmd(IMAGE).exec();
      return null;
    } catch (com.github.dockerjava.api.exception.NotFoundException e) {
      return "image missing locally: "
          + IMAGE
          + ". Build it: ./mvnw -B -DskipTests package && compose/build-images.sh";
    }
  }
}
