// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import java.util.ArrayList;
import java.util.List;

/** {@link ContainerLabTest} runs where Docker and the images of {@link ContainerLab} are. */
final class ContainerLabAvailable extends ContainersAvailable {

  @Override
  List<String> images() {
    List<String> all =
        new ArrayList<>(List.of(ContainerLab.KAFKA_IMAGE, ContainerLab.AUDITOR_IMAGE));
    all.addAll(ContainerLab.serviceImages());
    return all;
  }
}
