package io.flowc.runtime.flow;

import java.math.BigInteger;
import java.util.Locale;

/**
 * An option a formula may give a flow in parentheses, {@code nsf(bins=8,bound=5)} (spec sections
 * 1, 5, 6 and 7), with the rule its value must follow. The declaration order is the order the
 * canonical formula writes options in.
 */
public enum FlowOption {
  /** Spline bins K, at least 2. */
  BINS,
  /** Spline interval [-B, B], B > 0. */
  BOUND,
  /** Width of the conditioner's hidden layers. */
  HIDDEN,
  /** Number of the conditioner's hidden layers. */
  LAYERS,
  /** The conditioner's activation: relu, tanh or elu. */
  ACT,
  /** Householder reflections in a Sylvester flow. */
  M;

  /** Upper limits: a network or a spline this large would compile for minutes, a typo more likely than a wish. */
  static final int MAX_BINS = 256;
  static final int MAX_HIDDEN = 4096;
  static final int MAX_LAYERS = 64;
  static final int MAX_REFLECTIONS = 4096;

  /** The name in a formula: {@code bins}, ..., {@code m}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean appliesTo(FlowKind kind) {
    return switch (this) {
      case BINS, BOUND -> kind.isSpline();
      case HIDDEN, LAYERS, ACT -> kind.hasNetwork();
      case M -> kind == FlowKind.SYLVESTER;
    };
  }

  public static java.util.Optional<FlowOption> byKey(String key) {
    for (FlowOption o : values()) {
      if (o.key().equals(key)) {
        return java.util.Optional.of(o);
      }
    }
    return java.util.Optional.empty();
  }

  /**
   * The options with this one set from its text ({@code 8}, {@code 2.5}, {@code relu}).
   *
   * @throws IllegalArgumentException with a message naming the rule, e.g. {@code bins must be an integer >= 2, not '1'}
   */
  public FlowOptions set(FlowOptions options, String text) {
    return switch (this) {
      case BINS -> options.withBins(integer(text, 2, MAX_BINS));
      case BOUND -> options.withBound(positive(text));
      case HIDDEN -> options.withHidden(integer(text, 1, MAX_HIDDEN));
      case LAYERS -> options.withLayers(integer(text, 1, MAX_LAYERS));
      case ACT -> options.withActivation(Activation.byName(text).orElseThrow(() -> new IllegalArgumentException(
          "act must be relu, tanh or elu, not '" + text + "'")));
      case M -> options.withReflections(integer(text, 1, MAX_REFLECTIONS));
    };
  }

  private int integer(String text, int min, int max) {
    if (text.matches("[+-]?[0-9]+")) {
      BigInteger value = new BigInteger(text.startsWith("+") ? text.substring(1) : text);
      if (value.compareTo(BigInteger.valueOf(min)) >= 0 && value.compareTo(BigInteger.valueOf(max)) <= 0) {
        return value.intValue();
      }
    }
    throw new IllegalArgumentException(key() + " must be an integer from " + min + " to " + max + ", not '" + text + "'");
  }

  private double positive(String text) {
    double value;
    try {
      value = text.matches("[+-]?[0-9]+(\\.[0-9]*)?(e[+-]?[0-9]+)?") ? Double.parseDouble(text) : Double.NaN;
    } catch (NumberFormatException e) {
      value = Double.NaN;
    }
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(key() + " must be a number > 0, not '" + text + "'");
    }
    return value;
  }

  /** The conditioner network's activation (spec section 1); ReLU's derivative at 0 is 0. */
  public enum Activation {
    RELU, TANH, ELU;

    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static java.util.Optional<Activation> byName(String name) {
      for (Activation a : values()) {
        if (a.key().equals(name)) {
          return java.util.Optional.of(a);
        }
      }
      return java.util.Optional.empty();
    }
  }
}
