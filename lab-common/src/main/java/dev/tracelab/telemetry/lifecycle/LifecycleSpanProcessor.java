// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.telemetry.lifecycle;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;

/**
 * Stamps the {@link Lifecycle} found in a span's parent context onto the span: {@link
 * Lifecycle#NAME} and {@link Lifecycle#INSTANCE_ID}. Register it once per SDK:
 *
 * <pre>{@code
 * SdkTracerProvider.builder().addSpanProcessor(LifecycleSpanProcessor.create())
 * }</pre>
 *
 * A span started where no lifecycle is in context is left as it is; so is an attribute a call site
 * set itself.
 */
public final class LifecycleSpanProcessor implements SpanProcessor {

  private LifecycleSpanProcessor() {}

  public static LifecycleSpanProcessor create() {
    return new LifecycleSpanProcessor();
  }

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {
    Lifecycle lifecycle = Lifecycle.fromContext(parentContext);
    if (lifecycle == null) {
      return;
    }
    if (span.getAttribute(Lifecycle.NAME) == null) {
      span.setAttribute(Lifecycle.NAME, lifecycle.name());
    }
    if (span.getAttribute(Lifecycle.INSTANCE_ID) == null) {
      span.setAttribute(Lifecycle.INSTANCE_ID, lifecycle.instanceId());
    }
  }

  @Override
  public boolean isStartRequired() {
    return true;
  }

  @Override
  public void onEnd(ReadableSpan span) {}

  @Override
  public boolean isEndRequired() {
    return false;
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
