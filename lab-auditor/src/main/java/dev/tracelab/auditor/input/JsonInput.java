// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.input;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The reading position in one trace dump: a Jackson streaming parser under the dump's limits, reads
 * of typed values that name what they expected, and every problem as a {@link SpanFileException}
 * located at the token concerned.
 *
 * <p>Limits against hostile files: a string or field name longer than {@link #MAX_STRING_CHARS} and
 * nesting deeper than {@link #MAX_DEPTH} are errors (Jackson's read constraints, so a long string
 * is refused before it is held whole), and what a reader holds at once (names, values, ids of the
 * spans it has not handed on yet) is counted against {@link #MAX_HELD_CHARS}.
 */
final class JsonInput implements Closeable {

  /** Longest string or field name: a longer one is an error, not truncated. */
  static final int MAX_STRING_CHARS = 1 << 20;

  /** Deepest nesting of objects and arrays. */
  static final int MAX_DEPTH = 64;

  /**
   * Most spans held at once: one Jaeger trace, or a resourceSpans' spans read before its resource.
   */
  static final int MAX_HELD_SPANS = 50_000;

  /** Most characters held at once, each string counted with {@link #STRING_COST} more. */
  static final long MAX_HELD_CHARS = 1L << 27;

  /** What holding a string costs besides its characters (object headers, map entry). */
  static final int STRING_COST = 32;

  private static final int QUOTED_CHARS = 40;
  private static final Pattern SOURCE =
      Pattern.compile("\\[Source: [^\\]]*?line: (\\d+), column: (\\d+)\\]");

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxStringLength(MAX_STRING_CHARS)
                  .maxNameLength(MAX_STRING_CHARS)
                  .maxNestingDepth(MAX_DEPTH)
                  .build())
          .disable(
              JsonFactory.Feature
                  .INTERN_FIELD_NAMES) // Zipkin tag keys are field names: not into the JVM's pool
          .build();

  private final String file;
  private final boolean gzip;
  private final JsonParser parser;
  private long held;

  private JsonInput(String file, boolean gzip, JsonParser parser) {
    this.file = file;
    this.gzip = gzip;
    this.parser = parser;
  }

  /**
   * Reads {@code in} (closed with this), named {@code file} in errors; {@code gzip}: it inflates.
   */
  static JsonInput open(String file, InputStream in, boolean gzip) throws IOException {
    return new JsonInput(file, gzip, FACTORY.createParser(in));
  }

  @Override
  public void close() throws IOException {
    parser.close();
  }

  // ---- moving

  /**
   * The file's first token, or null when it has none; text that is not JSON at all is "not a trace
   * dump".
   */
  JsonToken first() throws SpanFileException {
    try {
      return parser.nextToken();
    } catch (JsonParseException e) {
      throw new SpanFileException(file, 1, 1, SpanFiles.NOT_A_DUMP, e);
    } catch (IOException e) {
      throw failure(e);
    }
  }

  /** The next token, or null at the end of the file. */
  JsonToken next() throws SpanFileException {
    try {
      return parser.nextToken();
    } catch (IOException e) {
      throw failure(e);
    }
  }

  JsonToken token() {
    return parser.currentToken();
  }

  /** The name of the field the parser is on (or whose value it is on). */
  String name() throws SpanFileException {
    try {
      return parser.currentName();
    } catch (IOException e) {
      throw failure(e);
    }
  }

  /**
   * Checks that the parser is on an object's {@code '{'}, or already inside it on its first
   * field's name (read to tell the format).
   */
  void enterObject(String what) throws SpanFileException {
    if (token() != JsonToken.FIELD_NAME) {
      startObject(what);
    }
  }

  void startObject(String what) throws SpanFileException {
    if (token() != JsonToken.START_OBJECT) {
      throw mustBe(what, "an object");
    }
  }

  void startArray(String what) throws SpanFileException {
    if (token() != JsonToken.START_ARRAY) {
      throw mustBe(what, "an array");
    }
  }

  /**
   * Moves to the value of the current object's next field, passing fields whose value is null
   * (absent, as proto3 JSON has it), and answers its name; null at the object's end. A field name
   * the parser is on (read to tell the format) is the next field.
   */
  String nextField() throws SpanFileException {
    JsonToken token = token() == JsonToken.FIELD_NAME ? JsonToken.FIELD_NAME : next();
    while (token == JsonToken.FIELD_NAME) {
      String name = name();
      if (next() != JsonToken.VALUE_NULL) {
        return name;
      }
      token = next();
    }
    return null; // END_OBJECT: Jackson allows nothing else here
  }

  /** Moves to the current array's next element: false at its end. */
  boolean nextElement() throws SpanFileException {
    return next() != JsonToken.END_ARRAY;
  }

  /** Passes the current value whole (an object or array to its end). */
  void skip() throws SpanFileException {
    try {
      parser.skipChildren();
    } catch (IOException e) {
      throw failure(e);
    }
  }

  // ---- values

  String string(String what) throws SpanFileException {
    if (token() != JsonToken.VALUE_STRING) {
      throw mustBe(what, "a string");
    }
    return text();
  }

  /** The text of a string, number or boolean, as written. */
  String scalar(String what) throws SpanFileException {
    if (!token().isScalarValue()) {
      throw mustBe(what, "a string, number or boolean");
    }
    return text();
  }

  boolean bool(String what) throws SpanFileException {
    return switch (token()) {
      case VALUE_TRUE -> true;
      case VALUE_FALSE -> false;
      default -> throw mustBe(what, "true or false");
    };
  }

  /** A signed 64-bit integer: a JSON integer, or a string of one (how proto3 JSON writes int64). */
  long int64(String what) throws SpanFileException {
    if (token() == JsonToken.VALUE_NUMBER_INT || token() == JsonToken.VALUE_STRING) {
      try {
        return Long.parseLong(text());
      } catch (NumberFormatException e) {
        // below
      }
    }
    throw mustBe(what, "a 64-bit integer");
  }

  /**
   * An unsigned 64-bit integer (proto3 fixed64: integer or string) as protobuf holds it in a long.
   */
  long uint64(String what) throws SpanFileException {
    if (token() == JsonToken.VALUE_NUMBER_INT || token() == JsonToken.VALUE_STRING) {
      try {
        return Long.parseUnsignedLong(text());
      } catch (NumberFormatException e) {
        // below
      }
    }
    throw mustBe(what, "an unsigned 64-bit integer");
  }

  /** A double: a JSON number, or a string of one or of NaN, Infinity, -Infinity (proto3 JSON). */
  double float64(String what) throws SpanFileException {
    switch (token()) {
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        return Double.parseDouble(text());
      }
      case VALUE_STRING -> {
        try {
          return Double.parseDouble(text());
        } catch (NumberFormatException e) {
          throw mustBe(what, "a number");
        }
      }
      default -> throw mustBe(what, "a number");
    }
  }

  /** Base64 bytes, standard or URL-safe, padding optional (proto3 JSON bytes). */
  byte[] base64(String what) throws SpanFileException {
    String text = string(what);
    try {
      return Base64.getDecoder().decode(text.replace('-', '+').replace('_', '/'));
    } catch (IllegalArgumentException e) {
      throw mustBe(what, "base64");
    }
  }

  /** A time in microseconds since the epoch (or a duration in microseconds), in nanoseconds. */
  long micros(String what) throws SpanFileException {
    long micros = int64(what);
    if (micros < 0) {
      throw mustBe(what, "a number of microseconds");
    }
    if (micros > Long.MAX_VALUE / 1_000) {
      throw error(what + " is too large: " + text() + " microseconds");
    }
    return micros * 1_000;
  }

  /** An enum of proto3 JSON: its number, or its name (an unknown name is the default, 0). */
  int enumNumber(String what, EnumDescriptor type) throws SpanFileException {
    if (token() == JsonToken.VALUE_STRING) {
      EnumValueDescriptor value = type.findValueByName(text());
      return value == null ? 0 : value.getNumber();
    }
    long number = token() == JsonToken.VALUE_NUMBER_INT ? int64(what) : Long.MIN_VALUE;
    if (number < Integer.MIN_VALUE || number > Integer.MAX_VALUE) {
      throw mustBe(what, "an enum name or number");
    }
    return (int) number;
  }

  // ---- ids

  /**
   * A trace id in lowercase: 32 hex digits, or 16 when {@code short64} (a 64-bit id, left-padded
   * with zeros to 32), not all zero.
   */
  String traceId(String what, boolean short64) throws SpanFileException {
    String id = string(what);
    if (!isHex(id) || !(id.length() == 32 || short64 && id.length() == 16)) {
      throw error(
          what + " must be " + (short64 ? "16 or 32" : "32") + " hex digits, was " + quote(id));
    }
    if (isZero(id)) {
      throw error(what + " must not be all zeros");
    }
    return id.length() == 16 ? "0000000000000000" + lower(id) : lower(id);
  }

  /** A span id in lowercase: 16 hex digits, not all zero. */
  String spanId(String what) throws SpanFileException {
    String id = string(what);
    if (id.length() != 16 || !isHex(id)) {
      throw error(what + " must be 16 hex digits, was " + quote(id));
    }
    if (isZero(id)) {
      throw error(what + " must not be all zeros");
    }
    return lower(id);
  }

  /** A parent span id: 16 hex digits in lowercase, or null for none (empty or all zero, a root). */
  String parentId(String what) throws SpanFileException {
    String id = string(what);
    if (id.isEmpty()) {
      return null;
    }
    if (id.length() != 16 || !isHex(id)) {
      throw error(what + " must be 16 hex digits, was " + quote(id));
    }
    return isZero(id) ? null : lower(id);
  }

  private static boolean isHex(String id) {
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isZero(String id) {
    for (int i = 0; i < id.length(); i++) {
      if (id.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }

  private static String lower(String hex) {
    return hex.toLowerCase(Locale.ROOT);
  }

  // ---- what is held

  /** Counts {@code s} as held until {@link #release}; answers it. */
  String hold(String s) throws SpanFileException {
    hold((long) s.length() + STRING_COST);
    return s;
  }

  /** Counts {@code chars} more as held; more than {@link #MAX_HELD_CHARS} at once is an error. */
  void hold(long chars) throws SpanFileException {
    held += chars;
    if (held > MAX_HELD_CHARS) {
      throw error(
          "more than "
              + MAX_HELD_CHARS
              + " characters of names and values to hold at once"
              + " (one Jaeger trace, resourceSpans or span): too large to read");
    }
  }

  /** What is held now, to {@link #release} to when what was held since is handed on. */
  long held() {
    return held;
  }

  void release(long mark) {
    held = mark;
  }

  // ---- errors

  /** Where the current token starts. */
  JsonLocation location() {
    return parser.currentTokenLocation();
  }

  /** A problem with the current token. */
  SpanFileException error(String problem) {
    return error(location(), problem);
  }

  SpanFileException error(JsonLocation at, String problem) {
    return new SpanFileException(file, at.getLineNr(), at.getColumnNr(), problem, null);
  }

  SpanFileException mustBe(String what, String expected) {
    return error(what + " must be " + expected + ", was " + describe());
  }

  /** The current token as a message shows it: a string quoted, a number or literal as written. */
  private String describe() {
    JsonToken token = token();
    if (token == null) {
      return "the end of the file";
    }
    return switch (token) {
      case VALUE_STRING -> quote(textOrEmpty());
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> shorten(textOrEmpty());
      case VALUE_TRUE -> "true";
      case VALUE_FALSE -> "false";
      case VALUE_NULL -> "null";
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      default -> token.asString() == null ? token.name() : token.asString();
    };
  }

  /** {@code s} in double quotes, at most {@value #QUOTED_CHARS} characters of it. */
  static String quote(String s) {
    return '"' + shorten(s).replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  private static String shorten(String s) {
    if (s.length() <= QUOTED_CHARS) {
      return s;
    }
    int end =
        Character.isHighSurrogate(s.charAt(QUOTED_CHARS - 1)) ? QUOTED_CHARS - 1 : QUOTED_CHARS;
    return s.substring(0, end) + "...";
  }

  private String text() throws SpanFileException {
    try {
      return parser.getText();
    } catch (IOException e) {
      throw failure(e);
    }
  }

  private String textOrEmpty() {
    try {
      return parser.getText();
    } catch (IOException e) {
      return "";
    }
  }

  /** A failure of the parser or of reading, where the parser was. */
  private SpanFileException failure(IOException e) {
    JsonLocation at =
        e instanceof JsonProcessingException j && j.getLocation() != null
            ? j.getLocation()
            : parser.currentLocation();
    String problem;
    if (e instanceof JsonEOFException) {
      problem = "unexpected end of file: the JSON is truncated";
    } else if (e instanceof JsonProcessingException j) {
      String message =
          j.getOriginalMessage() == null ? j.getClass().getSimpleName() : j.getOriginalMessage();
      problem =
          SOURCE.matcher(message.lines().findFirst().orElse("")).replaceAll("line $1, column $2");
    } else {
      problem =
          (gzip ? "bad gzip data: " : "cannot read: ")
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
    return new SpanFileException(file, at.getLineNr(), at.getColumnNr(), problem, e);
  }
}
