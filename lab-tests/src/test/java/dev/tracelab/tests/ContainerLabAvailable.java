package dev.tracelab.tests;

import java.util.List;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Runs the container suite only where it can run: a Docker engine answers and the lab's images
 * exist locally (nothing is pulled for the project's own images). Otherwise the suite is skipped
 * with the reason; the embedded suite covers the same scenarios without Docker.
 */
final class ContainerLabAvailable implements ExecutionCondition {

  private static volatile ConditionEvaluationResult result;

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (result == null) {
      result = evaluate();
      if (result.isDisabled()) {
        System.out.println("[ContainerLabTest] SKIPPED: " + result.getReason().orElse(""));
      }
    }
    return result;
  }

  private static ConditionEvaluationResult evaluate() {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      return ConditionEvaluationResult.disabled(
          "no Docker engine available: container suite skipped (the embedded suite still runs). "
              + "Start Docker, build the images (compose/build-images.sh) and run ./mvnw verify again.");
    }
    List<String> missing = ContainerLab.missingImages();
    if (!missing.isEmpty()) {
      return ConditionEvaluationResult.disabled(
          "images missing locally: " + String.join(", ", missing)
              + ". Build them: ./mvnw -B -DskipTests package && compose/build-images.sh"
              + " (apache/kafka: docker pull, or compose/standins/build-standins.sh kafka on a"
              + " registry-less machine)");
    }
    return ConditionEvaluationResult.enabled("Docker and the lab images are available");
  }
}
