// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracelab.http.Problem;
import dev.tracelab.http.Problem.FieldError;
import dev.tracelab.order.Order;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rules of docs/design.md §1 for an order request; every invalid field is reported, not just
 * the first.
 */
final class OrderValidation {

  private static final Pattern SKU = Pattern.compile("[A-Za-z0-9-]{1,64}");

  record Result(Order order, Problem problem) {
    static Result problem(Problem problem) {
      return new Result(null, problem);
    }
  }

  private OrderValidation() {}

  static Result validate(JsonNode json, String orderId) {
    if (json == null || !json.isObject()) {
      return Result.problem(Problem.badRequest("body must be a JSON object", List.of()));
    }
    List<FieldError> errors = new ArrayList<>();
    JsonNode sku = json.get("sku");
    if (sku == null || sku.isNull()) {
      errors.add(FieldError.of("sku", "is required"));
    } else if (!sku.isTextual() || !SKU.matcher(sku.asText()).matches()) {
      errors.add(FieldError.of("sku", "must be 1-64 characters of A-Z, a-z, 0-9 and -"));
    }
    JsonNode quantity = json.get("quantity");
    if (quantity == null || quantity.isNull()) {
      errors.add(FieldError.of("quantity", "is required"));
    } else if (!quantity.canConvertToInt()
        || !quantity.isIntegralNumber()
        || quantity.asInt() < 1
        || quantity.asInt() > 1000) {
      errors.add(FieldError.of("quantity", "must be an integer from 1 to 1000"));
    }
    JsonNode fail = json.get("fail");
    if (fail != null && !fail.isNull() && !fail.isBoolean()) {
      errors.add(FieldError.of("fail", "must be true or false"));
    }
    JsonNode delay = json.get("delayMs");
    if (delay != null
        && !delay.isNull()
        && (!delay.isIntegralNumber()
            || !delay.canConvertToLong()
            || delay.asLong() < 0
            || delay.asLong() > 60_000)) {
      errors.add(FieldError.of("delayMs", "must be an integer from 0 to 60000"));
    }
    if (!errors.isEmpty()) {
      String fields =
          String.join(", ", errors.stream().map(e -> e.pointer().substring(2)).toList());
      return Result.problem(Problem.badRequest("invalid field(s): " + fields, errors));
    }
    return new Result(
        new Order(
            orderId,
            sku.asText(),
            quantity.asInt(),
            fail != null && fail.asBoolean(false),
            delay == null || delay.isNull() ? 0 : delay.asLong()),
        null);
  }
}
