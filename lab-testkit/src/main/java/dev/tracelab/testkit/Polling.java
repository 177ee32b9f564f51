// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** Polls a check of the auditor until it passes or time is up: the assertions wait, never sleep. */
final class Polling {

  static final Duration INTERVAL = Duration.ofMillis(50);

  private Polling() {}

  /**
   * Thrown by a check whose failure no later poll can change (a trace judged without a span that
   * arrived late): the wait ends at once with this message.
   */
  /**
   * Why a wait failed.
   *
   * @param early the check threw {@link Final}: the wait ended before its time was up
   */
  record Failure(String message, boolean early) {

    /** {@code (waited 30 s)}, or {@code (no need to wait longer)} for an early end. */
    String waited(Duration timeout) {
      return early ? "(no need to wait longer)" : "(waited " + Failures.format(timeout) + ")";
    }
  }

  static final class Final extends RuntimeException {
    Final(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Runs {@code check} until it answers no failure, at most for {@code timeout}.
   *
   * @param check empty when the condition holds, else what fails now
   * @return empty when the check passed in time, else the last failure
   */
  static Optional<Failure> await(Duration timeout, Supplier<Optional<String>> check) {
    AtomicReference<String> last = new AtomicReference<>("the condition was never checked");
    try {
      Awaitility.await()
          .atMost(timeout)
          .pollDelay(Duration.ZERO)
          .pollInterval(INTERVAL)
          .pollInSameThread()
          .dontCatchUncaughtExceptions()
          .until(
              () -> {
                Optional<String> failure;
                try {
                  failure = check.get();
                } catch (Final e) {
                  throw e;
                } catch (RuntimeException e) {
                  failure = Optional.of("the auditor could not be read: " + e);
                }
                last.set(failure.orElse(null));
                return failure.isEmpty();
              });
      return Optional.empty();
    } catch (ConditionTimeoutException e) {
      return Optional.of(new Failure(last.get(), false));
    } catch (Final e) {
      return Optional.of(new Failure(e.getMessage(), true));
    }
  }
}
