package io.flowc.runtime.flow;

import java.util.ArrayList;
import java.util.List;

/**
 * One flow of a formula: its kind and its options. {@link #text()} is its canonical form: the
 * options that differ from the defaults, in {@link FlowOption}'s order ({@code nsf(bins=4,hidden=64)};
 * {@code nsf(bins=8)} is {@code nsf}), so that formulas meaning the same flow have one name in
 * artifacts and generated classes.
 */
public record FlowSpec(FlowKind kind, FlowOptions options) {

  public FlowSpec {
    for (FlowOption o : FlowOption.values()) {
      if (!o.appliesTo(kind) && !options.isDefault(o)) {
        throw new IllegalArgumentException(kind.shortName() + " has no option " + o.key());
      }
    }
  }

  /** The flow with the default options. */
  public static FlowSpec of(FlowKind kind) {
    return new FlowSpec(kind, FlowOptions.DEFAULTS);
  }

  /** The canonical form: {@code planar}, {@code nsf(bins=4,act=tanh)}. */
  public String text() {
    List<String> given = new ArrayList<>();
    for (FlowOption o : kind.options()) {
      if (!options.isDefault(o)) {
        given.add(o.key() + "=" + options.text(o));
      }
    }
    return given.isEmpty() ? kind.shortName() : kind.shortName() + "(" + String.join(",", given) + ")";
  }

  /** What the dimension forbids, with the option at fault (null: the flow itself). */
  public record Problem(FlowOption option, String message) {}

  /**
   * Why the flow cannot act on a model of this dimension, or null: a coupling flow needs two
   * coordinates to split (spec section 2), a MADE conditioner hidden layers at least d - 1 wide.
   */
  public Problem problem(int dimension) {
    if (kind.isCoupling() && dimension < 2) {
      return new Problem(null, kind.shortName() + " is a coupling flow and needs at least 2 dimensions; the model has 1"
          + " (use " + (kind == FlowKind.NSF ? "nsf_ar" : "iaf") + ")");
    }
    if (kind.isAutoregressive() && options.hidden() < dimension - 1) {
      return new Problem(FlowOption.HIDDEN, kind.shortName() + "'s MADE conditioner needs hidden >= d - 1 = "
          + (dimension - 1) + " on this model; hidden is " + options.hidden());
    }
    return null;
  }

  @Override
  public String toString() {
    return text();
  }
}
