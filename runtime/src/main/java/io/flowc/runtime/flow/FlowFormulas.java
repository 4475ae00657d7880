package io.flowc.runtime.flow;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Flow formulas as artifacts record them ({@code scale-hh*3-loc}, {@code nsf(bins=4)*2-loc}), read
 * without the compiler: what code that only has the runtime (an artifact's user, a Spark executor)
 * needs to lay out a flow. The compiler's front end parses formulas with diagnostics; this reader
 * accepts the same formulas and throws {@link IllegalArgumentException} for anything else.
 */
public final class FlowFormulas {
  /** Layers a formula may have in all (the compiler's limit, see its FlowFormulaParsing). */
  public static final int MAX_LAYERS = 1_000;

  private FlowFormulas() {}

  /** One {@code name(options)*count} part. */
  public record Part(FlowSpec spec, int count) {}

  /**
   * The canonical formula: lower case, no white space, each flow's options as {@link FlowSpec#text()}
   * writes them, counts without leading zeros; the form artifacts list.
   */
  public static String normalize(String formula) {
    return text(parts(formula));
  }

  /** The canonical text of parts: {@code nsf(bins=4)*2-loc}. */
  public static String text(List<Part> parts) {
    return parts.stream().map(p -> p.count() == 1 ? p.spec().text() : p.spec().text() + "*" + p.count())
        .collect(Collectors.joining("-"));
  }

  /** Every flow in order of application, repeats expanded. */
  public static List<FlowSpec> flows(String formula) {
    List<FlowSpec> flows = new ArrayList<>();
    for (Part p : parts(formula)) {
      flows.addAll(Collections.nCopies(p.count(), p.spec()));
    }
    return flows;
  }

  /** The layout of a formula's flows on a model of the given dimension. */
  public static FlowLayout layout(String formula, int dimension) {
    return FlowLayout.ofFlows(flows(formula), dimension);
  }

  /** The formula's parts, as written (PyMC3's rules: lower-cased, spaces dropped, split on '-'). */
  public static List<Part> parts(String formula) {
    String text = formula.replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
    List<Part> parts = new ArrayList<>();
    long layers = 0;
    for (String part : splitTopLevel(text, '-')) {
      try {
        Part p = part(part);
        layers += p.count();
        parts.add(p);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'" + formula + "' is not a flow formula (e.g. scale-hh*3-loc): "
            + e.getMessage(), e);
      }
    }
    if (layers > MAX_LAYERS) {
      throw new IllegalArgumentException("'" + formula + "' has " + layers + " layers (at most " + MAX_LAYERS + ")");
    }
    return parts;
  }

  private static Part part(String text) {
    int open = text.indexOf('(');
    int close = text.lastIndexOf(')');
    int star = text.indexOf('*', Math.max(0, close));
    String name = text.substring(0, open >= 0 ? open : star >= 0 ? star : text.length());
    FlowKind kind = FlowKind.byShortName(name)
        .orElseThrow(() -> new IllegalArgumentException("unknown flow '" + name + "'"));
    FlowOptions options = FlowOptions.DEFAULTS;
    if (open >= 0) {
      if (close < open || (star >= 0 ? star : text.length()) != close + 1) {
        throw new IllegalArgumentException("unbalanced parentheses in '" + text + "'");
      }
      options = options(kind, text.substring(open + 1, close));
    }
    int count = 1;
    if (star >= 0) {
      String digits = text.substring(star + 1);
      if (!digits.matches("[0-9]{1,9}") || Integer.parseInt(digits) < 1) {
        throw new IllegalArgumentException("repeat count must be a positive integer in '" + text + "'");
      }
      count = Integer.parseInt(digits);
    }
    return new Part(new FlowSpec(kind, options), count);
  }

  private static FlowOptions options(FlowKind kind, String text) {
    FlowOptions options = FlowOptions.DEFAULTS;
    if (text.isEmpty()) {
      return options;
    }
    Set<FlowOption> seen = EnumSet.noneOf(FlowOption.class);
    for (String item : text.split(",", -1)) {
      int eq = item.indexOf('=');
      String key = eq < 0 ? item : item.substring(0, eq);
      FlowOption option = FlowOption.byKey(key).filter(o -> o.appliesTo(kind))
          .orElseThrow(() -> new IllegalArgumentException(unknownOption(kind, key)));
      if (eq < 0 || !seen.add(option)) {
        throw new IllegalArgumentException(eq < 0 ? "option " + key + " has no value" : "option " + key + " given twice");
      }
      options = option.set(options, item.substring(eq + 1));
    }
    return options;
  }

  /** The message for an option the flow does not take, shared with the compiler's diagnostics. */
  public static String unknownOption(FlowKind kind, String key) {
    List<FlowOption> known = kind.options();
    return known.isEmpty() ? kind.shortName() + " takes no options"
        : "unknown option '" + key + "' for " + kind.shortName() + " (options: "
            + known.stream().map(FlowOption::key).collect(Collectors.joining(", ")) + ")";
  }

  private static List<String> splitTopLevel(String text, char separator) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      depth += c == '(' ? 1 : c == ')' ? -1 : 0;
      if (c == separator && depth == 0) {
        out.add(text.substring(start, i));
        start = i + 1;
      }
    }
    out.add(text.substring(start));
    return out;
  }
}
