package io.flowc.runtime.flow;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Flow formulas as artifacts record them ({@code scale-hh*3-loc}), read without the compiler: what
 * code that only has the runtime (an artifact's user, a Spark executor) needs to lay out a flow.
 */
public final class FlowFormulas {
  private FlowFormulas() {}

  /** The formula as artifacts list it: lower case, no white space. */
  public static String normalize(String formula) {
    return formula.replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
  }

  /** Every flow in order of application, repeats expanded. */
  public static List<FlowKind> flows(String formula) {
    List<FlowKind> flows = new ArrayList<>();
    for (String part : normalize(formula).split("-", -1)) {
      String[] kindAndCount = part.split("\\*", -1);
      FlowKind kind = kindAndCount.length <= 2 ? FlowKind.byShortName(kindAndCount[0]).orElse(null) : null;
      int count = kind == null ? -1 : kindAndCount.length == 1 ? 1 : count(kindAndCount[1]);
      if (count < 1) {
        throw new IllegalArgumentException("'" + formula + "' is not a flow formula (e.g. scale-hh*3-loc)");
      }
      flows.addAll(Collections.nCopies(count, kind));
    }
    return flows;
  }

  private static int count(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
