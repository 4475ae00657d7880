package io.flowc.runtime.flow;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The flows a formula can name, by their short names: PyMC3's five ({@code loc}, {@code scale},
 * {@code planar}, {@code radial}, {@code hh}) and the neural flows of docs/spec/neural_flows.md
 * ({@code reverse}, {@code realnvp}, {@code iaf}, {@code nsf}, {@code nsf_ar}, {@code sylvester}).
 */
public enum FlowKind {
  /** z + loc. */
  LOC,
  /** softplus(rho) * z. */
  SCALE,
  /** z + u-hat tanh(w.z + b), with u-hat keeping the map invertible. */
  PLANAR,
  /** z + beta h(alpha, r) (z - z_ref), r = |z - z_ref|. */
  RADIAL,
  /** Householder reflection (I - 2 v v^T / |v|^2) z. */
  HH,
  /** The coordinates in reversed order (spec section 2). */
  REVERSE,
  /** Affine coupling with an MLP conditioner (spec section 3). */
  REALNVP,
  /** Affine autoregressive flow with a MADE conditioner, sampling direction (spec section 4). */
  IAF,
  /** Rational-quadratic spline coupling (spec section 5). */
  NSF,
  /** Rational-quadratic spline, autoregressive with a MADE conditioner (spec section 5). */
  NSF_AR,
  /** Orthogonal Sylvester flow, Householder variant (spec section 6). */
  SYLVESTER;

  /** A flow parameter: its name and its size (0 for a scalar, d for a vector of the model's dimension). */
  public record Parameter(String name, boolean vector) {
    public int size(int dimension) {
      return vector ? dimension : 0;
    }
  }

  /** The name in a formula: {@code loc}, {@code scale}, ..., {@code nsf_ar}, {@code sylvester}. */
  public String shortName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<FlowKind> byShortName(String name) {
    return Arrays.stream(values()).filter(k -> k.shortName().equals(name)).findFirst();
  }

  /** PyMC3 3.9's five flows, in declaration order. */
  public static FlowKind[] pyMc3Values() {
    return Arrays.stream(values()).filter(FlowKind::isPyMc3).toArray(FlowKind[]::new);
  }

  /** One of PyMC3 3.9's five flows, whose layout and initialization follow PyMC3's. */
  public boolean isPyMc3() {
    return ordinal() <= HH.ordinal();
  }

  /** A coupling flow: conditions one half of the coordinates on the other (spec section 2). */
  public boolean isCoupling() {
    return this == REALNVP || this == NSF;
  }

  /** An autoregressive flow with a MADE conditioner (spec section 2). */
  public boolean isAutoregressive() {
    return this == IAF || this == NSF_AR;
  }

  /** A flow whose conditioner is a network (hidden, layers and act options). */
  public boolean hasNetwork() {
    return isCoupling() || isAutoregressive();
  }

  /** A rational-quadratic spline flow (bins and bound options). */
  public boolean isSpline() {
    return this == NSF || this == NSF_AR;
  }

  /** The options a formula may give this flow, in the order the canonical formula writes them. */
  public List<FlowOption> options() {
    return Arrays.stream(FlowOption.values()).filter(o -> o.appliesTo(this)).toList();
  }

  /**
   * The parameters of one of PyMC3's flows sorted by name, the order of PyMC3's
   * {@code approx.params} inside a flow (planar: b, u, w; radial: a, b, z_ref). The neural
   * flows' parameters depend on the dimension and the options: {@link FlowLayout} lays them out.
   *
   * @throws IllegalStateException for a neural flow
   */
  public List<Parameter> parameters() {
    return switch (this) {
      case LOC -> List.of(new Parameter("loc", true));
      case SCALE -> List.of(new Parameter("rho", true));
      case PLANAR -> List.of(new Parameter("b", false), new Parameter("u", true), new Parameter("w", true));
      case RADIAL -> List.of(new Parameter("a", false), new Parameter("b", false), new Parameter("z_ref", true));
      case HH -> List.of(new Parameter("v", true));
      default -> throw new IllegalStateException(shortName() + "'s parameters depend on the dimension: see FlowLayout");
    };
  }
}
