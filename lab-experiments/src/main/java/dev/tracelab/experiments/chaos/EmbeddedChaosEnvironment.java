// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.experiments.chaos;

import dev.tracelab.env.LabEnvironment;
import dev.tracelab.flow.Flow;
import java.net.URI;

/** {@link ChaosEnvironment} over the embedded {@link LabEnvironment}. */
final class EmbeddedChaosEnvironment implements ChaosEnvironment {

  private final LabEnvironment lab;

  EmbeddedChaosEnvironment(LabEnvironment lab) {
    this.lab = lab;
  }

  @Override
  public URI gatewayUrl() {
    return lab.gatewayUrl();
  }

  @Override
  public URI consumerUrl() {
    return lab.service(Flow.CONSUMER).url();
  }

  @Override
  public void stopBroker() {
    lab.stopKafka();
  }

  @Override
  public void startBroker() {
    lab.startKafka();
  }

  @Override
  public void killConsumer() {
    lab.killService(Flow.CONSUMER);
  }

  @Override
  public void restartConsumer() {
    lab.restartService(Flow.CONSUMER);
  }

  @Override
  public void killWorker() {
    lab.killService(Flow.WORKER);
  }

  @Override
  public void restartWorker() {
    lab.restartService(Flow.WORKER);
  }

  @Override
  public void stopAuditor() {
    lab.stopAuditor();
  }

  @Override
  public void startAuditor() {
    lab.startAuditor();
  }
}
