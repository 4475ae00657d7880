package io.flowc.runtime.flow;

import io.flowc.runtime.flow.FlowOption.Activation;
import java.math.BigDecimal;

/**
 * A flow's options (spec section 7) with the spec's defaults: K = 8 bins on [-5, 5], hidden layers
 * of width 32, 2 hidden layers, relu (sections 1 and 5), and M = d Householder reflections
 * (section 6), written {@code reflections = 0} since d is the model's.
 */
public record FlowOptions(int bins, double bound, int hidden, int layers, Activation activation, int reflections) {
  public static final FlowOptions DEFAULTS = new FlowOptions(8, 5, 32, 2, Activation.RELU, 0);

  public FlowOptions withBins(int value) {
    return new FlowOptions(value, bound, hidden, layers, activation, reflections);
  }

  public FlowOptions withBound(double value) {
    return new FlowOptions(bins, value, hidden, layers, activation, reflections);
  }

  public FlowOptions withHidden(int value) {
    return new FlowOptions(bins, bound, value, layers, activation, reflections);
  }

  public FlowOptions withLayers(int value) {
    return new FlowOptions(bins, bound, hidden, value, activation, reflections);
  }

  public FlowOptions withActivation(Activation value) {
    return new FlowOptions(bins, bound, hidden, layers, value, reflections);
  }

  public FlowOptions withReflections(int value) {
    return new FlowOptions(bins, bound, hidden, layers, activation, value);
  }

  /** The Householder reflections of a Sylvester flow on a model of dimension d: M, or d by default. */
  public int reflections(int dimension) {
    return reflections == 0 ? dimension : reflections;
  }

  /** An option's value as the canonical formula writes it: {@code 8}, {@code 2.5}, {@code tanh}. */
  public String text(FlowOption option) {
    return switch (option) {
      case BINS -> Integer.toString(bins);
      case BOUND -> BigDecimal.valueOf(bound).stripTrailingZeros().toPlainString();
      case HIDDEN -> Integer.toString(hidden);
      case LAYERS -> Integer.toString(layers);
      case ACT -> activation.key();
      case M -> Integer.toString(reflections);
    };
  }

  /** Whether the option has its default value (m: whether it is left to the dimension). */
  public boolean isDefault(FlowOption option) {
    return text(option).equals(DEFAULTS.text(option));
  }
}
