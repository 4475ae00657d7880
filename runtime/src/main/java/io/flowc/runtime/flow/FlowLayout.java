package io.flowc.runtime.flow;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Where each flow parameter lies in the flat parameter vector theta of a flow stack, and its
 * name for trackers, outputs and errors: {@code planar_0.u[1]} is element 1 of the u of the first
 * flow applied, {@code nsf_0.net.0.weight[3,0]} an element of a conditioner's first layer. The
 * order is PyMC3's {@code approx.params}: the last flow applied first, so flattened traces line
 * up with PyMC3's. Inside one of PyMC3's flows (and Sylvester's) the parameters are sorted by
 * name; a conditioner network lists its layers in order, each weight then bias (PyTorch's
 * {@code named_parameters} order): {@code net.0.weight, net.0.bias, ..., out.weight, out.bias}
 * (docs/spec/neural_flows.md section 8). MADE's masked-out weights do not exist in theta.
 */
public record FlowLayout(int dimension, List<FlowSpec> specs, List<Slot> slots) {

  /** How a parameter starts (spec section 1): PyMC3's jitter N(0,1), uniform(-a, a), or fixed values. */
  public record Init(Rule rule, double halfWidth, List<Double> values) {
    public enum Rule { JITTER, UNIFORM, FIXED }

    static final Init JITTER = new Init(Rule.JITTER, 0, List.of());

    static Init uniform(double halfWidth) {
      return new Init(Rule.UNIFORM, halfWidth, List.of());
    }

    static Init fixed(List<Double> values) {
      return new Init(Rule.FIXED, 0, List.copyOf(values));
    }
  }

  /**
   * One parameter of one flow: application index, kind, name, shape, offset in theta, start.
   * {@code size()} is 0 for a scalar and the element count otherwise, as before shapes had kinds.
   */
  public record Slot(int flow, FlowKind kind, String parameter, SlotShape shape, int offset, Init init) {
    /** A scalar (size 0) or vector slot of one of PyMC3's flows. */
    public Slot(int flow, FlowKind kind, String parameter, int size, int offset) {
      this(flow, kind, parameter, size == 0 ? new SlotShape.Scalar() : new SlotShape.Vector(size), offset,
          Init.JITTER);
    }

    public int size() {
      return shape instanceof SlotShape.Scalar ? 0 : shape.elementCount();
    }

    public int elementCount() {
      return shape.elementCount();
    }

    /** {@code planar_0.u}, {@code nsf_1.net.0.weight}. */
    public String qualifiedName() {
      return kind.shortName() + "_" + flow + "." + parameter;
    }
  }

  public FlowLayout {
    specs = List.copyOf(specs);
    slots = List.copyOf(slots);
  }

  /** The layout of the flows (in order of application, default options) on a model of the given dimension. */
  public static FlowLayout of(List<FlowKind> flows, int dimension) {
    return ofFlows(flows.stream().map(FlowSpec::of).toList(), dimension);
  }

  /**
   * The layout of the flows (in order of application) on a model of the given dimension.
   *
   * @throws IllegalArgumentException if a flow cannot act on this dimension ({@link FlowSpec#problem})
   */
  public static FlowLayout ofFlows(List<FlowSpec> flows, int dimension) {
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be positive: " + dimension);
    }
    for (FlowSpec spec : flows) {
      FlowSpec.Problem problem = spec.problem(dimension);
      if (problem != null) {
        throw new IllegalArgumentException(problem.message());
      }
    }
    int[] family = familyIndices(flows);
    List<Slot> slots = new ArrayList<>();
    int offset = 0;
    for (int k = flows.size() - 1; k >= 0; k--) {
      for (Slot s : flowSlots(k, flows.get(k), family[k], dimension)) {
        Slot placed = new Slot(k, s.kind(), s.parameter(), s.shape(), offset, s.init());
        slots.add(placed);
        offset += s.elementCount();
      }
    }
    return new FlowLayout(dimension, flows, slots);
  }

  /** Each flow's index among the coupling flows, or among the autoregressive ones, before it (spec section 2). */
  private static int[] familyIndices(List<FlowSpec> flows) {
    int[] index = new int[flows.size()];
    int couplings = 0;
    int autoregressive = 0;
    for (int k = 0; k < flows.size(); k++) {
      FlowKind kind = flows.get(k).kind();
      index[k] = kind.isCoupling() ? couplings++ : kind.isAutoregressive() ? autoregressive++ : 0;
    }
    return index;
  }

  /** The kinds of the flows, in order of application. */
  public List<FlowKind> flows() {
    return specs.stream().map(FlowSpec::kind).toList();
  }

  /**
   * Flow {@code flow}'s index among the coupling flows applied before it (for a coupling flow) or
   * among the autoregressive ones (for an autoregressive flow): what picks its halves or order.
   */
  public int familyIndex(int flow) {
    return familyIndices(specs)[flow];
  }

  private static List<Slot> flowSlots(int k, FlowSpec spec, int family, int d) {
    FlowKind kind = spec.kind();
    List<Slot> out = new ArrayList<>();
    if (kind.isPyMc3()) {
      for (FlowKind.Parameter p : kind.parameters()) {
        out.add(new Slot(k, kind, p.name(), p.size(d), 0));
      }
    } else if (kind == FlowKind.SYLVESTER) {
      sylvester(k, spec, d, out);
    } else if (kind.hasNetwork()) {
      network(k, spec, family, d, out);
    }
    return out;
  }

  /** Sylvester (spec section 6): b, the strictly upper parts r and r_tilde, the diagonals' rho and rho_tilde, the v's. */
  private static void sylvester(int k, FlowSpec spec, int d, List<Slot> out) {
    Init small = Init.uniform(0.01);
    int[] strictlyUpper = strictlyUpper(d);
    out.add(slot(k, spec, "b", new SlotShape.Vector(d), small));
    if (strictlyUpper.length > 0) {
      out.add(slot(k, spec, "r", new SlotShape.Masked(d, d, strictlyUpper), small));
      out.add(slot(k, spec, "r_tilde", new SlotShape.Masked(d, d, strictlyUpper), small));
    }
    out.add(slot(k, spec, "rho", new SlotShape.Vector(d), small));
    out.add(slot(k, spec, "rho_tilde", new SlotShape.Vector(d), small));
    out.add(slot(k, spec, "v", new SlotShape.Matrix(spec.options().reflections(d), d), Init.uniform(1 / Math.sqrt(d))));
  }

  /** The flat positions (i, j), i < j, of a d x d matrix. */
  public static int[] strictlyUpper(int d) {
    List<Integer> positions = new ArrayList<>();
    for (int i = 0; i < d; i++) {
      for (int j = i + 1; j < d; j++) {
        positions.add(i * d + j);
      }
    }
    return positions.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * The conditioner (spec section 1): hidden layers {@code net.L} of width H, uniform on
   * +-1/sqrt(fan_in), fan_in counting masked inputs as nflows' MaskedLinear does; then {@code out}
   * with W_out = 0 and the identity start's biases. MADE layers are masked matrices.
   */
  private static void network(int k, FlowSpec spec, int family, int d, List<Slot> out) {
    FlowOptions o = spec.options();
    boolean made = spec.kind().isAutoregressive();
    int inputs = made ? d : Conditioners.conditioning(d, family).length;
    int variables = made ? d : Conditioners.transformed(d, family).length;
    int outputs = Conditioners.outputsPerVariable(spec) * variables;
    int[] inputDegrees = made ? Conditioners.inputDegrees(d, family) : null;
    int[] hiddenDegrees = made ? Conditioners.hiddenDegrees(d, o.hidden()) : null;
    int width = inputs;
    int[] previous = inputDegrees;
    for (int layer = 0; layer < o.layers(); layer++) {
      Init init = Init.uniform(1 / Math.sqrt(width));
      SlotShape weight = made ? masked(o.hidden(), width, Conditioners.allowed(hiddenDegrees, previous, false))
          : new SlotShape.Matrix(o.hidden(), width);
      if (weight != null) {
        out.add(slot(k, spec, "net." + layer + ".weight", weight, init));
      }
      out.add(slot(k, spec, "net." + layer + ".bias", new SlotShape.Vector(o.hidden()), init));
      width = o.hidden();
      previous = hiddenDegrees;
    }
    List<Double> biases = new ArrayList<>();
    for (int row = 0; row < outputs; row++) {
      biases.add(Conditioners.identityBias(spec, row));
    }
    SlotShape weight;
    if (made) {
      int[] rowDegrees = new int[outputs];
      for (int row = 0; row < outputs; row++) {
        rowDegrees[row] = inputDegrees[Conditioners.variableOfRow(spec, row, variables)];
      }
      weight = masked(outputs, width, Conditioners.allowed(rowDegrees, hiddenDegrees, true));
    } else {
      weight = new SlotShape.Matrix(outputs, width);
    }
    if (weight != null) {
      out.add(slot(k, spec, "out.weight", weight, Init.fixed(Collections.nCopies(weight.elementCount(), 0.0))));
    }
    out.add(slot(k, spec, "out.bias", new SlotShape.Vector(outputs), Init.fixed(biases)));
  }

  /** A masked matrix, or null when every element is masked out (MADE's first layer on d = 1). */
  private static SlotShape masked(int rows, int cols, int[] positions) {
    return positions.length == 0 ? null : new SlotShape.Masked(rows, cols, positions);
  }

  private static Slot slot(int k, FlowSpec spec, String name, SlotShape shape, Init init) {
    return new Slot(k, spec.kind(), name, shape, 0, init);
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

  /** Every element's name in theta order: {@code planar_1.b, planar_1.u[0], ..., nsf_0.out.bias[22]}. */
  public List<String> elementNames() {
    List<String> names = new ArrayList<>();
    for (Slot s : slots) {
      for (int t = 0; t < s.elementCount(); t++) {
        names.add(s.qualifiedName() + s.shape().suffix(t));
      }
    }
    return names;
  }

  /**
   * The starting theta, drawn from one stream seeded with {@code seed}, element by element in
   * theta order. PyMC3's flows: every element is jitter times a standard normal draw (radial's
   * reference point included: its offset is 0 inside NFVI), so a formula of PyMC3's flows starts
   * exactly as before neural flows existed. Neural flows start as spec section 1 says, whatever
   * the jitter: hidden layers (and Sylvester's parameters) uniform, output layers at the identity
   * start; fixed values take no draw.
   */
  public double[] initialParameters(double jitter, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] theta = new double[parameterCount()];
    for (Slot s : slots) {
      Init init = s.init();
      for (int t = 0; t < s.elementCount(); t++) {
        theta[s.offset() + t] = switch (init.rule()) {
          case JITTER -> jitter * random.nextGaussian();
          case UNIFORM -> init.halfWidth() * (2 * random.nextDouble() - 1);
          case FIXED -> init.values().get(t);
        };
      }
    }
    return theta;
  }
}
