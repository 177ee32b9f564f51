// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracelab.auditor.orphans.ScenarioReport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;

/**
 * The lab's auditor's run API over HTTP (the same way in every environment): its lab report and new
 * runs. Traces are read and judged through the test kit ({@link LabScenarios#kit()}).
 */
final class AuditorClient {

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final URI api;

  AuditorClient(URI api) {
    this.api = api;
  }

  /** {@code GET /api/report}: the auditor's run, everything received since it started. */
  ScenarioReport report() {
    return get("/api/report", ScenarioReport.class)
        .orElseThrow(() -> new IllegalStateException("auditor at " + api + " has no /api/report"));
  }

  /** Starts a new auditor run named after {@code scenario} ({@code POST /api/runs}). */
  void startRun(dev.tracelab.flow.Scenario scenario) {
    Map<String, String> variants = new java.util.LinkedHashMap<>();
    scenario.variants().forEach((service, v) -> variants.put(service, v.id()));
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(api.resolve("/api/runs"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          JSON.writeValueAsString(
                              Map.of("name", scenario.id(), "variants", variants))))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 201) {
        throw new IllegalStateException(
            "auditor answered " + response.statusCode() + ": " + response.body());
      }
    } catch (IOException e) {
      throw new IllegalStateException("auditor unreachable at " + api, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private <T> Optional<T> get(String path, Class<T> type) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(api.resolve(path)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 404) {
        return Optional.empty();
      }
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "auditor answered " + response.statusCode() + ": " + response.body());
      }
      return Optional.of(JSON.readValue(response.body(), type));
    } catch (IOException e) {
      throw new IllegalStateException("auditor unreachable at " + api, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
