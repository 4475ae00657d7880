package io.flowc.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code sample} and {@code fit} report of a draw: the parameters on the scale users see
 * ({@link ParameterLayout#constrain}) and then the model's derived quantities (docs/language.md,
 * "Derived quantities"), computed from each draw after the run, never in the gradient.
 */
public interface Reported {

  /** The reported elements' names: the parameters' elements, then the derived quantities'. */
  List<String> names();

  /** Writes the reported values of the point {@code z} (unconstrained scale) into {@code out}. */
  void values(double[] z, double[] out);

  /** The parameters alone: a model without derived quantities. */
  static Reported of(ParameterLayout layout) {
    List<String> names = layout.elementNames();
    return new Reported() {
      @Override
      public List<String> names() {
        return names;
      }

      @Override
      public void values(double[] z, double[] out) {
        layout.constrain(z, out);
      }
    };
  }

  /**
   * The parameters, then derived quantities: {@code derivedNames} named elements that
   * {@code derived} computes from the constrained parameters' point z (unconstrained scale).
   */
  static Reported withDerived(ParameterLayout layout, List<String> derivedNames, Derived derived) {
    List<String> names = new ArrayList<>(layout.elementNames());
    names.addAll(derivedNames);
    List<String> all = List.copyOf(names);
    int dimension = layout.dimension();
    return new Reported() {
      @Override
      public List<String> names() {
        return all;
      }

      @Override
      public void values(double[] z, double[] out) {
        layout.constrain(z, out);
        derived.compute(z, out, dimension);
      }
    };
  }

  /** Derived quantities of a point z, written into {@code out} from {@code offset} on. */
  interface Derived {
    void compute(double[] z, double[] out, int offset);
  }

  /** The reported values of draws, one row per draw. */
  default double[][] rows(double[][] draws) {
    double[][] rows = new double[draws.length][names().size()];
    for (int s = 0; s < draws.length; s++) {
      values(draws[s], rows[s]);
    }
    return rows;
  }
}
