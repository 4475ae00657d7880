package io.flowc.runtime.laplace;

import io.flowc.runtime.flow.FlowKind;
import io.flowc.runtime.flow.FlowLayout;
import java.util.List;
import java.util.Locale;

/**
 * A fit's starting parameters that make q at the start the Laplace approximation N(mode, Sigma),
 * through the flows nearest the model (the last ones applied); docs/flows.md, "A Laplace start":
 * <ul>
 *   <li>a formula ending {@code scale-hh*k-loc} with k >= d - 1 (z = loc + H_k .. H_1 (softplus(rho) z0),
 *       pymc3_nf_semantics.md section 2.4): loc = mode, Sigma = Q diag(lambda) Q^T, softplus(rho) =
 *       sqrt(lambda) and H_k .. H_1 = Q up to the signs of its columns, which a standard normal z0
 *       does not see. The first d - 1 reflections applied are solved for Q; the k - (d - 1) applied
 *       after them keep their usual start (zero, the identity, with jitter 0);</li>
 *   <li>ending {@code scale-loc}: loc = mode, softplus(rho) = the marginal sds sqrt(Sigma_ii);</li>
 *   <li>ending {@code loc}: loc = mode.</li>
 * </ul>
 * Every other flow keeps its usual start (neural flows the identity, so q is that Gaussian
 * exactly when the flows before the tail are neural). Jitter applies on top, as for the usual start:
 * the elements set here are their value plus jitter times the standard normal draw the usual
 * start would have given them (FlowLayout#initialParameters, same stream), so jitter 0 starts at
 * the Gaussian exactly and restarts with jitter > 0 start around it.
 */
public final class LaplaceStart {
  private final FlowLayout layout;
  private final int loc;
  private final int scale;
  /** The hh flows of the tail, in order of application (empty unless the tail is scale-hh*k-loc). */
  private final int[] reflections;

  private LaplaceStart(FlowLayout layout, int loc, int scale, int[] reflections) {
    this.layout = layout;
    this.loc = loc;
    this.scale = scale;
    this.reflections = reflections;
  }

  /**
   * The start's plan for this layout (before any mode is searched for).
   *
   * @throws LaplaceException if the formula does not end in loc, or ends in scale-hh*k-loc with k < d - 1
   */
  public static LaplaceStart of(FlowLayout layout, String formula) {
    List<FlowKind> flows = layout.flows();
    int last = flows.size() - 1;
    if (last < 0 || flows.get(last) != FlowKind.LOC) {
      throw new LaplaceException("the formula must end in loc, scale-loc or scale-hh*k-loc, the flows that take "
          + "the Gaussian, not " + formula);
    }
    int first = last;
    while (first > 0 && flows.get(first - 1) == FlowKind.HH) {
      first--;
    }
    int k = last - first;
    if (first == 0 || flows.get(first - 1) != FlowKind.SCALE) {
      return new LaplaceStart(layout, last, -1, new int[0]);
    }
    int d = layout.dimension();
    if (k > 0 && k < d - 1) {
      throw new LaplaceException(String.format(Locale.ROOT, "%s ends in scale-hh*%d-loc, and "
          + "a covariance of %d parameters needs at least %d reflections (d - 1)", formula, k, d, d - 1));
    }
    int[] hh = new int[k];
    for (int i = 0; i < k; i++) {
      hh[i] = first + i;
    }
    return new LaplaceStart(layout, last, first - 1, hh);
  }

  /** What this start sets: "loc", "scale-loc" or "scale-hh*k-loc". */
  public String tail() {
    return scale < 0 ? "loc" : reflections.length == 0 ? "scale-loc" : "scale-hh*" + reflections.length + "-loc";
  }

  /** The starting theta for the approximation, with the usual start's jitter draws from {@code seed}'s stream. */
  public double[] parameters(LaplaceApproximation laplace, double jitter, long seed) {
    if (laplace.dimension() != layout.dimension()) {
      throw new IllegalArgumentException("the approximation has dimension " + laplace.dimension() + ", the flows "
          + layout.dimension());
    }
    double[] usual = layout.initialParameters(jitter, seed);
    return place(laplace, usual, usual);
  }

  /**
   * theta from the usual start {@code usual}, with the elements this start sets at their value plus
   * {@code noise}'s (the usual start's own values, in a fit).
   */
  double[] place(LaplaceApproximation laplace, double[] usual, double[] noise) {
    int d = layout.dimension();
    double[] theta = usual.clone();
    set(theta, noise, loc, "loc", laplace.mode());
    if (scale < 0) {
      return theta;
    }
    if (reflections.length == 0) {
      set(theta, noise, scale, "rho", inverseSoftplus(laplace.marginalSds()));
      return theta;
    }
    SymmetricEigen eigen = SymmetricEigen.of(laplace.covariance());
    double[] sd = new double[d];
    for (int i = 0; i < d; i++) {
      sd[i] = Math.sqrt(Math.max(eigen.values()[i], 0));
    }
    set(theta, noise, scale, "rho", inverseSoftplus(sd));
    // H_k .. H_1 = Q D (D flips column signs, which z0 does not see): the last m applied keep their
    // usual start R = H_k .. H_{d}, the first d - 1 represent M = R^-1 Q = H_d .. H_k Q (each H its
    // own inverse); factor gives M = P_1 .. P_{d-1} D, so H_{d-1} = P_1, ..., H_1 = P_{d-1}
    double[][] target = eigen.vectors();
    for (int r = reflections.length - 1; r >= d - 1; r--) {
      Householders.reflect(slice(usual, reflections[r]), target, 1);
    }
    double[][] p = Householders.factor(target);
    for (int j = 0; j < d - 1; j++) {
      set(theta, noise, reflections[d - 2 - j], "v", p[j]);
    }
    return theta;
  }

  private double[] slice(double[] theta, int flow) {
    FlowLayout.Slot slot = layout.slot(flow, "v");
    double[] v = new double[slot.elementCount()];
    System.arraycopy(theta, slot.offset(), v, 0, v.length);
    return v;
  }

  /** theta's slot := values + noise's elements there. */
  private void set(double[] theta, double[] noise, int flow, String parameter, double[] values) {
    FlowLayout.Slot slot = layout.slot(flow, parameter);
    for (int i = 0; i < values.length; i++) {
      theta[slot.offset() + i] = values[i] + noise[slot.offset() + i];
    }
  }

  /** rho with softplus(rho) = s, without overflow for large s or loss of digits for small s. */
  static double[] inverseSoftplus(double[] s) {
    double[] rho = new double[s.length];
    for (int i = 0; i < s.length; i++) {
      rho[i] = s[i] > 30 ? s[i] + Math.log(-Math.expm1(-s[i])) : Math.log(Math.expm1(s[i]));
    }
    return rho;
  }
}
