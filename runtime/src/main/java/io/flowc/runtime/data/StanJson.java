package io.flowc.runtime.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads data in Stan's JSON format (as cmdstan and posteriordb write it): one object whose
 * members are numbers or rectangular nested arrays of numbers; {@code "Infinity"},
 * {@code "-Infinity"} and {@code "NaN"} may stand for those values. A small reader of its own,
 * so that the runtime (and a model artifact) needs no JSON library.
 */
public final class StanJson {
  private final String text;
  private final String source;
  private int pos;

  private StanJson(String text, String source) {
    this.text = text;
    this.source = source;
  }

  public static DataSet read(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  /** Parses {@code text}; {@code source} names it in messages. Throws DataException on bad input. */
  public static DataSet parse(String text, String source) {
    StanJson p = new StanJson(text, source);
    Map<String, DataSet.Value> values = p.object();
    p.skipSpace();
    if (p.pos < text.length()) {
      throw p.error("unexpected text after the data object");
    }
    return new DataSet(source, values);
  }

  private DataException error(String message) {
    int line = 1;
    int column = 1;
    for (int i = 0; i < Math.min(pos, text.length()); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new DataException(source + ":" + line + ":" + column + ": " + message);
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private char peek() {
    skipSpace();
    if (pos >= text.length()) {
      throw error("unexpected end of file");
    }
    return text.charAt(pos);
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "', found '" + text.charAt(pos) + "'");
    }
    pos++;
  }

  private Map<String, DataSet.Value> object() {
    Map<String, DataSet.Value> values = new LinkedHashMap<>();
    expect('{');
    if (peek() == '}') {
      pos++;
      return values;
    }
    while (true) {
      String name = string();
      if (values.containsKey(name)) {
        throw error("'" + name + "' appears twice");
      }
      expect(':');
      values.put(name, value(name));
      if (peek() == ',') {
        pos++;
        continue;
      }
      expect('}');
      return values;
    }
  }

  private String string() {
    expect('"');
    StringBuilder s = new StringBuilder();
    while (pos < text.length() && text.charAt(pos) != '"') {
      char c = text.charAt(pos++);
      if (c == '\\') {
        throw error("escapes are not supported in data names and values");
      }
      s.append(c);
    }
    if (pos >= text.length()) {
      throw error("unterminated string");
    }
    pos++;
    return s.toString();
  }

  /** A number or a nested array, checked to be rectangular. */
  private DataSet.Value value(String name) {
    List<Double> elements = new ArrayList<>();
    List<Integer> dims = new ArrayList<>();
    element(name, elements, dims, 0);
    double[] flat = new double[elements.size()];
    for (int i = 0; i < flat.length; i++) {
      flat[i] = elements.get(i);
    }
    return new DataSet.Value(dims.stream().mapToInt(Integer::intValue).toArray(), flat);
  }

  private void element(String name, List<Double> out, List<Integer> dims, int depth) {
    if (peek() != '[') {
      if (depth < dims.size()) {
        throw error("'" + name + "' is not rectangular: a number where an array was expected");
      }
      out.add(number(name));
      return;
    }
    pos++;
    int count = 0;
    if (peek() == ']') {
      pos++;
    } else {
      while (true) {
        if (depth == dims.size()) {
          if (depth > 0 && !out.isEmpty()) {
            throw error("'" + name + "' is not rectangular: an array where a number was expected");
          }
          dims.add(-1);
        }
        element(name, out, dims, depth + 1);
        count++;
        if (peek() == ',') {
          pos++;
          continue;
        }
        expect(']');
        break;
      }
    }
    if (depth == dims.size()) {
      dims.add(count); // an empty array
    } else if (dims.get(depth) == -1) {
      dims.set(depth, count);
    } else if (dims.get(depth) != count) {
      throw error("'" + name + "' is not rectangular: rows of " + dims.get(depth) + " and " + count + " elements");
    }
  }

  private double number(String name) {
    char c = peek();
    if (c == '"') {
      String s = string();
      return switch (s) {
        case "Infinity", "inf" -> Double.POSITIVE_INFINITY;
        case "-Infinity", "-inf" -> Double.NEGATIVE_INFINITY;
        case "NaN", "nan" -> Double.NaN;
        default -> throw error("'" + name + "' holds the string \"" + s + "\" where a number was expected");
      };
    }
    int start = pos;
    while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
      pos++;
    }
    try {
      return Double.parseDouble(text.substring(start, pos));
    } catch (NumberFormatException e) {
      pos = start;
      throw error("'" + name + "': expected a number or an array");
    }
  }
}
