package io.flowc.runtime.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Where each flow parameter lies in the flat parameter vector theta of a flow stack, and its
 * name for trackers, outputs and errors: {@code planar_0.u[1]} is element 1 of the u of the first
 * flow applied. The order is PyMC3's {@code approx.params}: the last flow applied first, and inside
 * a flow the parameters sorted by name, so flattened traces line up with PyMC3's.
 */
public record FlowLayout(int dimension, List<FlowKind> flows, List<Slot> slots) {

  /** One parameter of one flow: application index, kind, name, size (0 scalar), offset in theta. */
  public record Slot(int flow, FlowKind kind, String parameter, int size, int offset) {
    public int elementCount() {
      return Math.max(1, size);
    }

    /** {@code planar_0.u}. */
    public String qualifiedName() {
      return kind.shortName() + "_" + flow + "." + parameter;
    }
  }

  public FlowLayout {
    flows = List.copyOf(flows);
    slots = List.copyOf(slots);
  }

  /** The layout of the flows (in order of application) on a model of the given dimension. */
  public static FlowLayout of(List<FlowKind> flows, int dimension) {
    List<Slot> slots = new ArrayList<>();
    int offset = 0;
    for (int k = flows.size() - 1; k >= 0; k--) {
      FlowKind kind = flows.get(k);
      for (FlowKind.Parameter p : kind.parameters()) {
        int size = p.size(dimension);
        slots.add(new Slot(k, kind, p.name(), size, offset));
        offset += Math.max(1, size);
      }
    }
    return new FlowLayout(dimension, flows, slots);
  }

  /** Number of parameters: the length of theta. */
  public int parameterCount() {
    return slots.stream().mapToInt(Slot::elementCount).sum();
  }

  /** The slot of a flow's parameter. */
  public Slot slot(int flow, String parameter) {
    return slots.stream().filter(s -> s.flow() == flow && s.parameter().equals(parameter)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("flow " + flow + " has no parameter " + parameter));
  }

  /** Every element's name in theta order: {@code planar_1.b, planar_1.u[0], ...}. */
  public List<String> elementNames() {
    List<String> names = new ArrayList<>();
    for (Slot s : slots) {
      if (s.size() == 0) {
        names.add(s.qualifiedName());
      } else {
        for (int i = 0; i < s.size(); i++) {
          names.add(s.qualifiedName() + "[" + i + "]");
        }
      }
    }
    return names;
  }

  /**
   * PyMC3's initialization: every parameter element is jitter times a standard normal draw
   * (radial's reference point included: its offset is 0 inside NFVI).
   */
  public double[] initialParameters(double jitter, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] theta = new double[parameterCount()];
    for (int i = 0; i < theta.length; i++) {
      theta[i] = jitter * random.nextGaussian();
    }
    return theta;
  }
}
