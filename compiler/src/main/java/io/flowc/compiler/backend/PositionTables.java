package io.flowc.compiler.backend;

import io.flowc.compiler.kernel.Kernel;
import io.flowc.compiler.kernel.Kernel.Instr;
import io.flowc.compiler.kernel.KernelSplitter;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The position tables of one generated class: each distinct list of positions of a
 * {@link Kernel.Place} or {@link Kernel.Take} becomes a static {@code int[]} field, initialized
 * when the class loads from a string constant whose chars are the positions (the scheduler keeps
 * them below the surrogates, so the string is plain UTF-16 and its constant within 65535 bytes).
 * Both backends build the same tables from the same parts, in the same order.
 */
final class PositionTables {
  private final Map<String, Integer> fields = new LinkedHashMap<>();
  private final List<String> texts = new ArrayList<>();
  /** Each positions array's table, by the array's identity: the backend asks for it again as it writes each use. */
  private final Map<int[], Integer> tableOf = new IdentityHashMap<>();

  private PositionTables() {}

  static PositionTables of(KernelSplitter.Split... splits) {
    PositionTables tables = new PositionTables();
    for (KernelSplitter.Split split : splits) {
      for (List<Instr> part : split.parts()) {
        tables.addAll(part);
      }
    }
    return tables;
  }

  /** The tables of these instructions and of the loops' bodies among them (a loop over neural flows places weights). */
  private void addAll(List<Instr> instrs) {
    for (Instr instr : instrs) {
      if (instr instanceof Kernel.Place p) {
        add(p.positions());
      } else if (instr instanceof Kernel.Take t) {
        add(t.positions());
      } else if (instr instanceof Kernel.Repeat r) {
        addAll(r.body());
      } else if (instr instanceof Kernel.Call c) {
        addAll(c.body());
      }
    }
  }

  private void add(int[] positions) {
    if (tableOf.containsKey(positions)) {
      return;
    }
    String text = text(positions);
    Integer table = fields.get(text);
    if (table == null) {
      table = texts.size();
      fields.put(text, table);
      texts.add(text);
    }
    tableOf.put(positions, table);
  }

  static String text(int[] positions) {
    // a char array, not a StringBuilder: a fresh process writes these interpreted, a char at a time
    char[] chars = new char[positions.length];
    for (int i = 0; i < positions.length; i++) {
      int p = positions[i];
      if (p < 0 || p >= Character.MIN_SURROGATE) {
        throw new IllegalArgumentException("position " + p + " does not fit a table");
      }
      chars[i] = (char) p;
    }
    return new String(chars);
  }

  int count() {
    return texts.size();
  }

  /** The string constant table {@code t} is made from. */
  String text(int t) {
    return texts.get(t);
  }

  /** The static field of table {@code t}. */
  static String field(int t) {
    return "P" + t;
  }

  /** The field holding these positions. */
  String fieldOf(int[] positions) {
    Integer table = tableOf.get(positions);
    return field(table != null ? table : fields.get(text(positions)));
  }

  /**
   * A Java string literal of the text: printable ASCII as is, other chars below 256 as octal
   * escapes (a unicode escape of a line break or a quote would end the literal), the rest as
   * unicode escapes.
   */
  static String javaLiteral(String text) {
    StringBuilder s = new StringBuilder("\"");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c > ' ' && c < 0x7f && c != '"' && c != '\\') {
        s.append(c);
      } else if (c < 0x100) {
        s.append(String.format("\\%03o", (int) c));
      } else {
        s.append(String.format("\\u%04x", (int) c));
      }
    }
    return s.append('"').toString();
  }
}
