package io.flowc.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * How a model's parameters lie in the flat vector z: in declaration order, a scalar as one
 * element and a vector of n as n elements. Names elements as users see them: {@code z[0], s}.
 */
public record ParameterLayout(List<Parameter> parameters) {

  /** A parameter and its size (0 for a scalar). */
  public record Parameter(String name, int size) {
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

  /** The compact form artifacts store: {@code z:2,s:0}. */
  public String encode() {
    StringBuilder out = new StringBuilder();
    for (Parameter p : parameters) {
      out.append(out.length() == 0 ? "" : ",").append(p.name()).append(':').append(p.size());
    }
    return out.toString();
  }

  /** Reads {@link #encode()}'s form; throws IllegalArgumentException on anything else. */
  public static ParameterLayout decode(String text) {
    List<Parameter> parameters = new ArrayList<>();
    if (!text.isEmpty()) {
      for (String p : text.split(",", -1)) {
        int colon = p.lastIndexOf(':');
        if (colon <= 0) {
          throw new IllegalArgumentException("bad parameter entry '" + p + "'");
        }
        int size = Integer.parseInt(p.substring(colon + 1));
        if (size < 0) {
          throw new IllegalArgumentException("negative size in '" + p + "'");
        }
        parameters.add(new Parameter(p.substring(0, colon), size));
      }
    }
    return new ParameterLayout(parameters);
  }
}
