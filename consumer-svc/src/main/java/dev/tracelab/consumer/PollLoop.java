// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.consumer;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One poll of the loop: process each record, then commit the offsets of the records that were
 * processed, skipped as duplicates or dead-lettered. A record that was none of these (its
 * dead-letter send failed) is not committed: its partition is rewound to it and the rest of that
 * partition's batch waits for the next poll. A commit that fails (broker restarting, rebalance) is
 * logged and the loop goes on: the records come again and the ledger skips them.
 */
final class PollLoop {

  private static final Logger log = LoggerFactory.getLogger(PollLoop.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);

  private final Consumer<String, String> consumer;
  private final OrderProcessor processor;

  PollLoop(Consumer<String, String> consumer, OrderProcessor processor) {
    this.consumer = consumer;
    this.processor = processor;
  }

  /**
   * Polls once and handles what came; returns the number of records whose offsets were committed.
   */
  int pollOnce() {
    ConsumerRecords<String, String> records = consumer.poll(POLL_TIMEOUT);
    Map<TopicPartition, OffsetAndMetadata> done = new LinkedHashMap<>();
    Set<TopicPartition> rewound = new HashSet<>();
    int count = 0;
    for (ConsumerRecord<String, String> record : records) {
      TopicPartition partition = new TopicPartition(record.topic(), record.partition());
      if (rewound.contains(partition)) {
        continue;
      }
      try {
        processor.process(record);
        done.put(partition, new OffsetAndMetadata(record.offset() + 1));
        count++;
      } catch (DeadLetters.NotDoneException e) {
        log.warn(
            "record {}@{} not done, will come again: {}",
            partition,
            record.offset(),
            e.getMessage());
        rewound.add(partition);
        consumer.seek(partition, record.offset());
        if (Thread.currentThread().isInterrupted()) {
          break;
        }
      }
    }
    if (!done.isEmpty()) {
      try {
        consumer.commitSync(done);
      } catch (RetriableException | CommitFailedException | RebalanceInProgressException e) {
        log.warn(
            "commit of {} failed, those records will come again (the ledger skips them): {}",
            done,
            e.toString());
        return 0;
      }
    }
    return count;
  }
}
