// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tracelab.order.OrderJson;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ground truth of what this consumer did, independent of telemetry: the order ids whose
 * processing completed, the ones dead-lettered, and how many redeliveries were skipped. Recording
 * an id here is the commit point of processing: a record whose id is already here is a duplicate
 * and is not processed again. Every completion is listed, so an order processed twice anyway (the
 * duplicate check bypassed) is listed twice: the ledger shows double processing, never hides it.
 *
 * <p>With a file ({@code LEDGER_FILE}) every entry is appended as one line ({@code processed <id>}
 * or {@code dead-lettered <id>}) and flushed before the offset is committed, and the file is read
 * back on start, so a killed and restarted consumer keeps its ledger. Skipped duplicates are
 * counted in memory only.
 */
final class Ledger implements AutoCloseable {

  private static final String PROCESSED = "processed ";
  private static final String DEAD_LETTERED = "dead-lettered ";

  private final List<String> processed = new ArrayList<>();
  private final List<String> deadLettered = new ArrayList<>();
  private final Set<String> seen = new HashSet<>();
  private final BufferedWriter file;
  private long duplicatesSkipped;

  private Ledger(BufferedWriter file) {
    this.file = file;
  }

  static Ledger inMemory() {
    return new Ledger(null);
  }

  /**
   * The ledger persisted in {@code path} (created if missing, read back if present); null: in
   * memory.
   */
  static Ledger open(Path path) {
    if (path == null) {
      return inMemory();
    }
    try {
      List<String> lines =
          Files.exists(path) ? Files.readAllLines(path, StandardCharsets.UTF_8) : List.of();
      if (path.getParent() != null) {
        Files.createDirectories(path.getParent());
      }
      Ledger ledger =
          new Ledger(
              Files.newBufferedWriter(
                  path,
                  StandardCharsets.UTF_8,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.APPEND));
      for (String line : lines) {
        if (line.startsWith(PROCESSED)) {
          ledger.record(ledger.processed, line.substring(PROCESSED.length()));
        } else if (line.startsWith(DEAD_LETTERED)) {
          ledger.record(ledger.deadLettered, line.substring(DEAD_LETTERED.length()));
        }
      }
      return ledger;
    } catch (IOException e) {
      throw new UncheckedIOException("LEDGER_FILE=" + path + ": " + e.getMessage(), e);
    }
  }

  /** Whether {@code id} was processed or dead-lettered already. */
  synchronized boolean seen(String id) {
    return seen.contains(id);
  }

  synchronized void duplicateSkipped() {
    duplicatesSkipped++;
  }

  synchronized void processed(String id) {
    record(processed, id);
    append(PROCESSED + id);
  }

  synchronized void deadLettered(String id) {
    record(deadLettered, id);
    append(DEAD_LETTERED + id);
  }

  private void record(List<String> entries, String id) {
    entries.add(id);
    seen.add(id);
  }

  synchronized List<String> processedIds() {
    return List.copyOf(processed);
  }

  synchronized List<String> deadLetteredIds() {
    return List.copyOf(deadLettered);
  }

  synchronized long duplicatesSkippedCount() {
    return duplicatesSkipped;
  }

  /** {@code {"processed": [...], "deadLettered": [...], "duplicatesSkipped": n}} */
  synchronized String toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("processed", new ArrayList<>(processed));
    json.put("deadLettered", new ArrayList<>(deadLettered));
    json.put("duplicatesSkipped", duplicatesSkipped);
    try {
      return OrderJson.mapper().writeValueAsString(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the ledger", e);
    }
  }

  private void append(String line) {
    if (file == null) {
      return;
    }
    try {
      file.write(line);
      file.newLine();
      file.flush();
    } catch (IOException e) {
      // not committing the offset would process the record again; failing loudly is better
      throw new UncheckedIOException("cannot append to the ledger file: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    if (file != null) {
      try {
        file.close();
      } catch (IOException e) {
        // the lines were flushed one by one
      }
    }
  }
}
