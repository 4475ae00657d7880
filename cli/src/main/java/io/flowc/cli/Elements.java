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
      if (p.isScalar()) {
        shown.add(p.name());
      } else if (p.size() <= MAX_SHOWN_PER_VECTOR) {
        for (int i = 0; i < p.size(); i++) {
          shown.add(p.name() + "[" + i + "]");
        }
      } else {
        shown.add(p.name() + "[0]");
        shown.add(p.name() + "[1]");
        shown.add("...");
        shown.add(p.name() + "[" + (p.size() - 1) + "]");
      }
    }
    return describe(shown);
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
