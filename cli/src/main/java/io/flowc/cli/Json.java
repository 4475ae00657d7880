package io.flowc.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The one-line JSON objects that {@code --json} prints as the last line of stdout. */
public final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  /** A new object; keys keep their insertion order. */
  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /**
   * Puts a double at full precision ({@link Double#toString}); NaN and the infinities, which
   * JSON cannot hold as numbers, become the strings {@code "NaN"}, {@code "Infinity"} and
   * {@code "-Infinity"}.
   */
  public static ObjectNode putNumber(ObjectNode node, String key, double value) {
    if (Double.isFinite(value)) {
      node.put(key, value);
    } else {
      node.put(key, Double.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
    }
    return node;
  }

  /** Appends a double to an array, non-finite values as {@link #putNumber} writes them. */
  public static ArrayNode addNumber(ArrayNode array, double value) {
    if (Double.isFinite(value)) {
      array.add(value);
    } else {
      array.add(Double.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
    }
    return array;
  }

  /** The object on one line, without a line terminator. */
  public static String line(ObjectNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }
}
