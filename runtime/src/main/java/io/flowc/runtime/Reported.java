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

  /**
   * The parameters' layout, able to constrain points (where a bound is computed, with the code
   * that computes it).
   */
  ParameterLayout layout();

  /** The parameters alone: a model without derived quantities. */
  static Reported of(ParameterLayout layout) {
    return new Values(layout.elementNames(), layout, layout::constrain);
  }

  /**
   * The parameters, then derived quantities: {@code derivedNames} named elements that
   * {@code derived} computes from the constrained parameters' point z (unconstrained scale).
   */
  static Reported withDerived(ParameterLayout layout, List<String> derivedNames, Derived derived) {
    int dimension = layout.dimension();
    return new Values(namesWith(layout, derivedNames), layout, (z, out) -> {
      layout.constrain(z, out);
      derived.compute(z, out, dimension);
    });
  }

  /**
   * The parameters and derived quantities as compiled code computes them (artifacts, classes
   * {@code @FlowModel} generates): {@code code}'s gradient output is every reported value, the
   * parameters' constrained values first; bound to the model's data where it has data.
   * {@code layout} gains this code as its constrainer, so bounds computed from other parameters or
   * data constrain points too ({@link #layout()}).
   */
  static Reported compiled(ParameterLayout layout, List<String> derivedNames, LogDensity code) {
    List<String> all = namesWith(layout, derivedNames);
    int dimension = layout.dimension();
    // reporting runs after sampling, on any thread: each thread its own scratch
    ThreadLocal<double[]> workspace = ThreadLocal.withInitial(() -> new double[code.workspaceSize()]);
    ThreadLocal<double[]> values = ThreadLocal.withInitial(() -> new double[all.size()]);
    ParameterLayout constrained = layout.withConstrainer((z, out) -> {
      double[] v = values.get();
      code.logDensityGradient(z, v, workspace.get());
      System.arraycopy(v, 0, out, 0, dimension);
    });
    return new Values(all, constrained, (z, out) -> code.logDensityGradient(z, out, workspace.get()));
  }

  private static List<String> namesWith(ParameterLayout layout, List<String> derivedNames) {
    List<String> names = new ArrayList<>(layout.elementNames());
    names.addAll(derivedNames);
    return List.copyOf(names);
  }

  /** Reported values computed by one function of the point. */
  record Values(List<String> names, ParameterLayout layout, java.util.function.BiConsumer<double[], double[]> compute)
      implements Reported {
    @Override
    public void values(double[] z, double[] out) {
      compute.accept(z, out);
    }
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
