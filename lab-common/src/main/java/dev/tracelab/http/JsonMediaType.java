// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.http;

import java.util.Locale;
import java.util.Optional;

/**
 * Whether a request's {@code Content-Type} is JSON, parsed as RFC 9110 §8.3.1 defines a media type
 * ({@code type "/" subtype *( OWS ";" OWS [ parameter ] )}, a parameter {@code token "=" ( token /
 * quoted-string )}), never prefix-matched: {@code application/json} in any case, with any
 * parameters, a {@code charset} (if given) {@code utf-8} as RFC 8259 §8.1 requires of JSON on the
 * wire. {@code application/jsonx}, {@code application/json-patch+json}, {@code text/json}, a
 * malformed value and none are not JSON: the service answers 415 problem+json.
 */
public final class JsonMediaType {

  private JsonMediaType() {}

  /**
   * The 415 problem for a request with this {@code Content-Type} (null: none sent); empty when it
   * is JSON.
   */
  public static Optional<Problem> unsupported(String contentType) {
    return reason(contentType).map(r -> Problem.of(415, "Unsupported Media Type", r));
  }

  /** Why {@code contentType} is not JSON; empty when it is. */
  static Optional<String> reason(String contentType) {
    String was = contentType == null || contentType.isBlank() ? "none" : contentType;
    MediaType parsed = contentType == null ? null : MediaType.parse(contentType);
    if (parsed == null || !parsed.type.equals("application") || !parsed.subtype.equals("json")) {
      return Optional.of("Content-Type must be application/json, was " + was);
    }
    if (parsed.charset != null && !parsed.charset.equalsIgnoreCase("utf-8")) {
      return Optional.of(
          "Content-Type must be application/json in UTF-8 (charset utf-8 or none), was " + was);
    }
    return Optional.empty();
  }

  /** type and subtype in lower case; the last charset parameter's value, or null. */
  private record MediaType(String type, String subtype, String charset) {

    /** null when {@code value} is not a media type. */
    static MediaType parse(String value) {
      Cursor c = new Cursor(value);
      c.skipWhitespace();
      String type = c.token();
      if (type == null || !c.take('/')) {
        return null;
      }
      String subtype = c.token();
      if (subtype == null) {
        return null;
      }
      String charset = null;
      c.skipWhitespace();
      while (!c.atEnd()) {
        if (!c.take(';')) {
          return null;
        }
        c.skipWhitespace();
        if (c.atEnd() || c.peek() == ';') {
          continue; // an empty parameter: allowed
        }
        String name = c.token();
        if (name == null || !c.take('=')) {
          return null;
        }
        String parameterValue = c.peek() == '"' ? c.quotedString() : c.token();
        if (parameterValue == null) {
          return null;
        }
        if (name.equalsIgnoreCase("charset")) {
          charset = parameterValue;
        }
        c.skipWhitespace();
      }
      return new MediaType(
          type.toLowerCase(Locale.ROOT), subtype.toLowerCase(Locale.ROOT), charset);
    }
  }

  /** A position in a header value. */
  private static final class Cursor {
    private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";
    private final String s;
    private int i;

    Cursor(String s) {
      this.s = s;
    }

    boolean atEnd() {
      return i >= s.length();
    }

    char peek() {
      return atEnd() ? '\0' : s.charAt(i);
    }

    boolean take(char expected) {
      if (peek() == expected && !atEnd()) {
        i++;
        return true;
      }
      return false;
    }

    void skipWhitespace() {
      while (!atEnd() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
        i++;
      }
    }

    /** One or more tchar (RFC 9110 §5.6.2), or null. */
    String token() {
      int start = i;
      while (!atEnd() && isTchar(s.charAt(i))) {
        i++;
      }
      return i > start ? s.substring(start, i) : null;
    }

    /**
     * A quoted-string (RFC 9110 §5.6.4) without its quotes and escapes, or null when unterminated.
     */
    String quotedString() {
      StringBuilder out = new StringBuilder();
      i++; // the opening quote
      while (!atEnd()) {
        char ch = s.charAt(i++);
        if (ch == '"') {
          return out.toString();
        }
        if (ch == '\\') {
          if (atEnd()) {
            return null;
          }
          ch = s.charAt(i++);
        }
        out.append(ch);
      }
      return null;
    }

    private static boolean isTchar(char ch) {
      return (ch >= 'a' && ch <= 'z')
          || (ch >= 'A' && ch <= 'Z')
          || (ch >= '0' && ch <= '9')
          || TCHAR_SYMBOLS.indexOf(ch) >= 0;
    }
  }
}
