// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An RFC 9457 problem detail, written as {@code application/problem+json}. Invalid fields are
 * listed under {@code errors} with a JSON pointer, as in the RFC's own example.
 */
public record Problem(int status, String title, String detail, List<FieldError> errors) {

  public static final String CONTENT_TYPE = "application/problem+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One invalid field: its JSON pointer ({@code #/quantity}) and what is wrong with it. */
  public record FieldError(String pointer, String detail) {
    public static FieldError of(String field, String detail) {
      return new FieldError("#/" + field, field + ": " + detail);
    }
  }

  public static Problem badRequest(String detail, List<FieldError> errors) {
    return new Problem(400, "Bad Request", detail, errors);
  }

  public static Problem of(int status, String title, String detail) {
    return new Problem(status, title, detail, List.of());
  }

  /** Writes this problem as the response, with status and content type. */
  public void writeTo(Context ctx) {
    ctx.status(status);
    ctx.contentType(CONTENT_TYPE);
    ctx.result(toJson(ctx.path()));
  }

  String toJson(String instance) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "about:blank");
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail);
    body.put("instance", instance);
    if (!errors.isEmpty()) {
      body.put("errors", errors);
    }
    try {
      return JSON.writeValueAsString(body);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
