// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.examples.agentapp;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Runs the container test where a Docker engine answers and its images exist locally; otherwise
 * skips it with the reason ({@code -Dtracelab.containers=optional}, the default) or fails ({@code
 * required}: the tracelab CI). In your project, {@code @Testcontainers(disabledWithoutDocker =
 * true)} from testcontainers-junit-jupiter does the skipping part.
 */
final class ContainersAvailable implements ExecutionCondition {

  static final String JRE_IMAGE = "eclipse-temurin:17-jre";
  static final String AUDITOR_IMAGE =
      "tracelab/auditor:" + System.getProperty("tracelab.image.tag", "dev");

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    String missing = missing();
    if (missing == null) {
      return ConditionEvaluationResult.enabled("Docker and the images are available");
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
      return "no Docker engine available: the container test is skipped (AgentAppTest runs the same services as"
          + " child JVMs). Start Docker, build the images (compose/build-images.sh) and run ./mvnw verify again.";
    }
    List<String> missing = new ArrayList<>();
    for (String image : List.of(JRE_IMAGE, AUDITOR_IMAGE)) {
      try {
        DockerClientFactory.instance().client().inspectImageCmd(image).exec();
      } catch (com.github.dockerjava.api.exception.NotFoundException e) {
        missing.add(image);
      }
    }
    return missing.isEmpty()
        ? null
        : "images missing locally: "
            + String.join(", ", missing)
            + ". Build them: ./mvnw -B -DskipTests package && compose/build-images.sh ("
            + JRE_IMAGE
            + ": docker pull, or compose/standins/build-standins.sh temurin on a registry-less machine)";
  }
}
