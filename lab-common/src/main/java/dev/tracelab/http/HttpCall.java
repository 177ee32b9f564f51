// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.http;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * The gateway's outgoing call to the worker: the HTTP boundary's caller side. The fixed variant
 * ({@code TracingHttpClient}) injects trace context; the broken one ({@code
 * broken-variants/.../XTraceIdHttpClient}) does not.
 */
public interface HttpCall {

  HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException;
}
