// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Content-Type of a JSON request is parsed, not prefix-matched. The same cases are in the Go
 * gateway's and the Node.js worker's media type tests.
 */
class JsonMediaTypeTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "application/json",
        "Application/JSON",
        "application/json; charset=utf-8",
        "application/json;charset=UTF-8",
        "application/json; charset=\"utf-8\"",
        "application/json ; charset=utf-8",
        "application/json; foo=bar",
        "application/json;",
      })
  void json(String contentType) {
    assertThat(JsonMediaType.unsupported(contentType)).as(contentType).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "application/jsonx",
        "application/json-patch+json",
        "application/problem+json",
        "application/x-json",
        "text/json",
        "text/plain",
        "application/json/x",
        "application/json, text/plain",
        "application/",
        "application",
        "json",
        "/json",
        "application/json; charset",
        "application/json; charset=\"utf-8",
        "",
        " ",
      })
  void notJson(String contentType) {
    Problem problem =
        JsonMediaType.unsupported(contentType).orElseThrow(() -> new AssertionError(contentType));
    assertThat(problem.status()).isEqualTo(415);
    assertThat(problem.title()).isEqualTo("Unsupported Media Type");
    assertThat(problem.detail())
        .startsWith("Content-Type must be application/json")
        .endsWith("was " + (contentType.isBlank() ? "none" : contentType));
  }

  @ParameterizedTest
  @NullSource
  void noneSent(String contentType) {
    assertThat(JsonMediaType.unsupported(contentType).orElseThrow().detail())
        .isEqualTo("Content-Type must be application/json, was none");
  }

  @Test
  void aCharsetOtherThanUtf8IsNotJson() {
    assertThat(
            JsonMediaType.unsupported("application/json; charset=iso-8859-1")
                .orElseThrow()
                .detail())
        .isEqualTo(
            "Content-Type must be application/json in UTF-8 (charset utf-8 or none), was "
                + "application/json; charset=iso-8859-1");
  }
}
