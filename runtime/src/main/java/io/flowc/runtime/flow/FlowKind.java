package io.flowc.runtime.flow;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** PyMC3's five normalizing flows, by the short names that flow formulas use. */
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
  HH;

  /** A flow parameter: its name and its size (0 for a scalar, d for a vector of the model's dimension). */
  public record Parameter(String name, boolean vector) {
    public int size(int dimension) {
      return vector ? dimension : 0;
    }
  }

  /** The name in a formula: {@code loc}, {@code scale}, {@code planar}, {@code radial}, {@code hh}. */
  public String shortName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<FlowKind> byShortName(String name) {
    return Arrays.stream(values()).filter(k -> k.shortName().equals(name)).findFirst();
  }

  /**
   * The flow's parameters sorted by name, the order of PyMC3's {@code approx.params} inside a
   * flow (planar: b, u, w; radial: a, b, z_ref).
   */
  public List<Parameter> parameters() {
    return switch (this) {
      case LOC -> List.of(new Parameter("loc", true));
      case SCALE -> List.of(new Parameter("rho", true));
      case PLANAR -> List.of(new Parameter("b", false), new Parameter("u", true), new Parameter("w", true));
      case RADIAL -> List.of(new Parameter("a", false), new Parameter("b", false), new Parameter("z_ref", true));
      case HH -> List.of(new Parameter("v", true));
    };
  }
}
