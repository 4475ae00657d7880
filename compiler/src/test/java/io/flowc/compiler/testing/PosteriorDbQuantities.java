package io.flowc.compiler.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.ToDoubleFunction;

/** How posteriordb's reference quantities are read off a draw of a ported model. */
public final class PosteriorDbQuantities {
  private PosteriorDbQuantities() {}

  /**
   * The quantity a reference names, as a function of a draw (elements in {@code elements}' order,
   * on the constrained scale, then the derived quantities): Stan's 1-based {@code beta[1]} is element
   * 0 of {@code beta}; eight schools' theta is the model's derived quantity.
   */
  public static ToDoubleFunction<double[]> quantity(List<String> elements, String name) {
    String base = name.contains("[") ? name.substring(0, name.indexOf('[')) : name;
    int index = name.contains("[") ? Integer.parseInt(name.substring(name.indexOf('[') + 1, name.length() - 1)) - 1 : -1;
    int k = elements.indexOf(index < 0 ? base : base + "[" + index + "]");
    assertTrue(k >= 0, "no element for " + name + " in " + elements);
    return x -> x[k];
  }
}
