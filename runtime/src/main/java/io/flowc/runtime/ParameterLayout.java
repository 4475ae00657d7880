package io.flowc.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * How a model's parameters lie in the flat vector z: in declaration order, a scalar as one
 * element and a vector of n as n elements. Names elements as users see them: {@code z[0], s}.
 * A bounded parameter lives in z on the unconstrained scale; {@link #constrain} maps a point to
 * the values users see.
 */
public record ParameterLayout(List<Parameter> parameters, Constrainer constrainer) {

  /**
   * The constrained values of a point where some bound is computed (from earlier parameters or
   * data: {@code param b in (0, 1 - a);}, {@code param tau[N] > lo;}), which only the model's code
   * knows: it writes every parameter's constrained values of {@code z} into {@code out}.
   */
  @FunctionalInterface
  public interface Constrainer {
    void constrain(double[] z, double[] out);
  }

  public ParameterLayout(List<Parameter> parameters) {
    this(parameters, null);
  }

  /**
   * A parameter, its size (0 for a scalar), its bounds (infinite where absent, NaN where computed
   * from earlier parameters or data) and whether it is an ordered vector (Stan's {@code ordered}: x[0] = u[0], x[i] = x[i-1] + exp(u[i]); never bounded).
   */
  public record Parameter(String name, int size, double lower, double upper, boolean ordered) {
    public Parameter(String name, int size) {
      this(name, size, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    public Parameter(String name, int size, double lower, double upper) {
      this(name, size, lower, upper, false);
    }

    public boolean isBounded() {
      return Constraints.isBounded(lower, upper);
    }

    /** Whether z holds this parameter on another scale than users see it (bounded or ordered). */
    public boolean isTransformed() {
      return ordered || isBounded();
    }

    /** Whether a bound is computed from earlier parameters or data (NaN here: its values vary). */
    public boolean hasComputedBounds() {
      return Double.isNaN(lower) || Double.isNaN(upper);
    }

    public boolean isScalar() {
      return size == 0;
    }

    public int elementCount() {
      return Math.max(1, size);
    }
  }

  public ParameterLayout {
    parameters = List.copyOf(parameters);
  }

  /** This layout with the model's code computing constrained values (needed where a bound is computed). */
  public ParameterLayout withConstrainer(Constrainer code) {
    return new ParameterLayout(parameters, code);
  }

  /** Whether some bound is computed from earlier parameters or data. */
  public boolean hasComputedBounds() {
    return parameters.stream().anyMatch(Parameter::hasComputedBounds);
  }

  /** Layouts are equal when their parameters are: the constrainer is code computing what they say. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ParameterLayout other && parameters.equals(other.parameters);
  }

  @Override
  public int hashCode() {
    return parameters.hashCode();
  }

  /** Number of elements: the length of z. */
  public int dimension() {
    return parameters.stream().mapToInt(Parameter::elementCount).sum();
  }

  /** Element names in flat order: {@code z[0], z[1], s}. */
  public List<String> elementNames() {
    List<String> names = new ArrayList<>();
    for (Parameter p : parameters) {
      if (p.isScalar()) {
        names.add(p.name());
      } else {
        for (int i = 0; i < p.size(); i++) {
          names.add(p.name() + "[" + i + "]");
        }
      }
    }
    return names;
  }

  /** Whether some parameter has bounds, so that z and the constrained values differ. */
  public boolean isConstrained() {
    return parameters.stream().anyMatch(Parameter::isTransformed);
  }

  /** Writes the constrained values of the point {@code z} (unconstrained scale) into {@code out}. */
  public void constrain(double[] z, double[] out) {
    if (constrainer != null) {
      constrainer.constrain(z, out);
      return;
    }
    if (hasComputedBounds()) {
      throw new IllegalStateException("bounds computed from other parameters or data need the model's code"
          + " to constrain a point (ParameterLayout.withConstrainer)");
    }
    int k = 0;
    for (Parameter p : parameters) {
      if (p.ordered()) {
        Constraints.ordered(z, k, p.elementCount(), out);
        k += p.elementCount();
        continue;
      }
      for (int i = 0; i < p.elementCount(); i++, k++) {
        out[k] = Constraints.constrain(z[k], p.lower(), p.upper());
      }
    }
  }

  /**
   * The compact form artifacts store: {@code z:2,s:0}, and for a bounded parameter its bounds
   * after the size, {@code sigma:0:0.0:Infinity} ({@code NaN} for a bound computed from other
   * parameters or data), and for an ordered vector {@code mu:2:ordered}.
   */
  public String encode() {
    StringBuilder out = new StringBuilder();
    for (Parameter p : parameters) {
      out.append(out.length() == 0 ? "" : ",").append(p.name()).append(':').append(p.size());
      if (p.ordered()) {
        out.append(":ordered");
      } else if (p.isBounded()) {
        out.append(':').append(p.lower()).append(':').append(p.upper());
      }
    }
    return out.toString();
  }

  /** Reads {@link #encode()}'s form; throws IllegalArgumentException on anything else. */
  public static ParameterLayout decode(String text) {
    List<Parameter> parameters = new ArrayList<>();
    if (!text.isEmpty()) {
      for (String p : text.split(",", -1)) {
        String[] fields = p.split(":", -1);
        boolean ordered = fields.length == 3 && fields[2].equals("ordered");
        if ((fields.length != 2 && fields.length != 4 && !ordered) || fields[0].isEmpty()) {
          throw new IllegalArgumentException("bad parameter entry '" + p + "'");
        }
        if (!fields[1].matches("0|[1-9][0-9]{0,8}")) {
          throw new IllegalArgumentException("bad size in '" + p + "'");
        }
        int size = Integer.parseInt(fields[1]);
        double lower;
        double upper;
        try {
          lower = fields.length == 4 ? Double.parseDouble(fields[2]) : Double.NEGATIVE_INFINITY;
          upper = fields.length == 4 ? Double.parseDouble(fields[3]) : Double.POSITIVE_INFINITY;
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("bad bounds in '" + p + "'");
        }
        if (!(lower < upper) && !Double.isNaN(lower) && !Double.isNaN(upper)) {
          throw new IllegalArgumentException("empty bounds in '" + p + "'");
        }
        if (ordered && size == 0) {
          throw new IllegalArgumentException("an ordered scalar in '" + p + "'");
        }
        parameters.add(new Parameter(fields[0], size, lower, upper, ordered));
      }
    }
    return new ParameterLayout(parameters);
  }
}
