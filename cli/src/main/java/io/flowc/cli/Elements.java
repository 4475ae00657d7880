package io.flowc.cli;

import io.flowc.runtime.ParameterLayout;
import java.util.ArrayList;
import java.util.List;

/** Readable lists of parameter elements, with long vectors shortened in the middle. */
public final class Elements {
  /** A vector parameter longer than this is shown as {@code z[0], z[1], ..., z[99]}. */
  static final int MAX_SHOWN_PER_VECTOR = 6;
  /** A list longer than this (after shortening vectors) keeps only its ends. */
  static final int MAX_SHOWN = 20;

  private Elements() {}

  /** The model's parameter elements, e.g. {@code z[0], z[1], ..., z[99], sigma}. */
  static String describe(ModelSummary model) {
    List<String> shown = new ArrayList<>();
    for (ParameterLayout.Parameter p : model.layout().parameters()) {
      List<String> names = new ArrayList<>();
      if (p.isScalar()) {
        names.add(p.name());
      } else if (p.size() <= MAX_SHOWN_PER_VECTOR) {
        for (int i = 0; i < p.size(); i++) {
          names.add(p.name() + "[" + i + "]");
        }
      } else {
        names.add(p.name() + "[0]");
        names.add(p.name() + "[1]");
        names.add("...");
        names.add(p.name() + "[" + (p.size() - 1) + "]");
      }
      if (p.ordered()) {
        names.set(names.size() - 1, names.get(names.size() - 1) + " (ordered)");
      } else if (p.isBounded()) {
        // the bounds once, after the parameter's last element: 'sigma (> 0)', 'p[0], p[1] (in (0, 1))'
        names.set(names.size() - 1, names.get(names.size() - 1) + " (" + bounds(p) + ")");
      }
      shown.addAll(names);
    }
    return describe(shown);
  }

  /** A parameter's bounds as the language writes them: {@code > 0}, {@code < 1}, {@code in (0, 1)}. */
  static String bounds(ParameterLayout.Parameter p) {
    boolean hasLower = p.lower() != Double.NEGATIVE_INFINITY;
    boolean hasUpper = p.upper() != Double.POSITIVE_INFINITY;
    if (hasLower && hasUpper) {
      return "in (" + number(p.lower()) + ", " + number(p.upper()) + ")";
    }
    return hasLower ? "> " + number(p.lower()) : "< " + number(p.upper());
  }

  /** A bound's value; one computed from other parameters or data (NaN in the layout) as {@code computed}. */
  private static String number(double x) {
    if (Double.isNaN(x)) {
      return "computed";
    }
    return x == Math.rint(x) && Math.abs(x) < 1e15 ? String.valueOf((long) x) : String.valueOf(x);
  }

  /** A flat list of names, shortened to its ends when long. */
  public static String describe(List<String> names) {
    if (names.size() <= MAX_SHOWN) {
      return String.join(", ", names);
    }
    List<String> shown = new ArrayList<>(names.subList(0, MAX_SHOWN - 4));
    shown.add("...");
    shown.addAll(names.subList(names.size() - 3, names.size()));
    return String.join(", ", shown);
  }
}
