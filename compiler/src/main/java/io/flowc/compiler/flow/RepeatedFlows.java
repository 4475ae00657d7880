package io.flowc.compiler.flow;

import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.ir.Op;
import io.flowc.compiler.ir.ScanBody;
import io.flowc.compiler.ir.Shape;
import io.flowc.runtime.flow.FlowKind;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.flow.FlowSpec;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A run of identical flows ({@code hh*100}, {@code planar*16}, {@code nsf*8}) as loops over the
 * repeats instead of one copy of the code per flow (docs/internals.md, "Repeated flows"). One
 * iteration (one flow; two for flows with a network, whose halves or order alternate) is written
 * once as a function of z, the log|det| so far and its own parameters; that function is cut as
 * {@link ElboSplit} cuts the whole loss: what depends on the parameters alone (Householder's
 * |v|^2, planar's u-hat) becomes a scan over the stacked parameters, with no carry, whose
 * per-iteration outputs the draw's scan reads; what depends on z becomes a scan carrying z and the
 * log|det|. The parameters keep their layout and names: the stacked values are concatenations of
 * the same inputs, so the prologue and epilogue see a loop each and the body one loop and its
 * reverse. Every value is computed by the operations the unrolled flows use, in the same order.
 */
public final class RepeatedFlows {
  /**
   * Shortest run of identical flows lowered as loops (but for the flows with a network, and for
   * PyMC3's flows on few coordinates in calls of many draws: below). Short stacks (W1's planar*8,
   * W2's planar*10) stay unrolled: their straight-line code is compiled early and runs without
   * the loops' copies.
   */
  public static final int DEFAULT_LOOP_FROM = 16;

  /**
   * Shortest run of identical flows with a network lowered as loops, where the kernel's calls run
   * draw by draw (fewer draws than the batched body takes): two
   * iterations of two flows. A loop's body runs draw by draw, so where calls have enough draws
   * for the batched body (whose products read each weight once for a block of draws) these
   * flows stay unrolled (docs/performance.md, "Neural flows as loops").
   */
  public static final int DEFAULT_NETWORK_LOOP_FROM = 4;

  /**
   * Shortest run of {@code planar}, {@code radial} or {@code hh} flows on at most
   * {@link #SHORT_VECTOR} coordinates lowered as loops where calls have enough draws for the
   * batched body. On so few coordinates a flow is scalar steps, which the unrolled stack's batched
   * body runs across a block of draws while a loop runs them draw by draw: {@code planar*16} to
   * {@code planar*64} on two coordinates at 100 draws fit faster unrolled, {@code planar*128} about
   * even, {@code planar*256} faster looped, its unrolled class taking long to compile (docs/performance.md,
   * "Many draws a step: PyMC3's flows on few coordinates"). On more coordinates a flow is loops over them, which the batched
   * body leaves per draw too, and such runs loop from {@link #DEFAULT_LOOP_FROM} whatever the draws.
   */
  public static final int DEFAULT_BATCHED_LOOP_FROM = 128;

  /**
   * The longest vector the kernels' scheduler writes as scalars ({@code Scheduler.SCALARIZE_LIMIT},
   * which RepeatedFlowsTest checks this against).
   */
  public static final int SHORT_VECTOR = 16;

  /**
   * The system property that sets the shortest run that loops for every kind of flow, whatever
   * the draws per call, for measuring one form against the other (docs/performance.md): a huge
   * value keeps every stack unrolled.
   */
  public static final String LOOP_FROM_PROPERTY = "flowc.loopFrom";

  /** The shortest run set for every kind ({@link #withLoopFrom}, the property), or null: the defaults. */
  private static final ThreadLocal<Integer> LOOP_FROM = ThreadLocal.withInitial(() -> {
    Integer set = Integer.getInteger(LOOP_FROM_PROPERTY);
    return set == null ? null : Math.max(2, set);
  });

  /** Whether the kernel being lowered is called with fewer draws than a batched body takes. */
  private static final ThreadLocal<Boolean> DRAW_BY_DRAW = ThreadLocal.withInitial(() -> false);

  private RepeatedFlows() {}

  /** Runs {@code action} with runs of at least {@code loopFrom} identical flows of any kind lowered as loops. */
  public static <T> T withLoopFrom(int loopFrom, Supplier<T> action) {
    return with(LOOP_FROM, loopFrom, action);
  }

  /**
   * Runs {@code action}, a lowering of a kernel whose calls run draw by draw ({@code true}: fewer
   * draws than a batched body takes, as a fit with a small {@code --nmc} makes), with the rule for
   * such calls ({@link #loopFrom}).
   */
  public static <T> T drawByDraw(boolean drawByDraw, Supplier<T> action) {
    return with(DRAW_BY_DRAW, drawByDraw, action);
  }

  private static <V, T> T with(ThreadLocal<V> setting, V value, Supplier<T> action) {
    V previous = setting.get();
    setting.set(value);
    try {
      return action.get();
    } finally {
      setting.set(previous);
    }
  }

  /**
   * Whether the flows lower differently for calls that run draw by draw ({@link #drawByDraw}):
   * what makes an artifact carry a second kernel for fits with few draws a step.
   */
  public static boolean dependsOnDrawsPerCall(List<FlowSpec> specs, int dimension) {
    return !drawByDraw(true, () -> runs(specs, dimension)).equals(drawByDraw(false, () -> runs(specs, dimension)));
  }

  /** The length of each run, as the lowering takes them. */
  private static List<Integer> runs(List<FlowSpec> specs, int dimension) {
    List<Integer> runs = new ArrayList<>();
    for (int k = 0; k < specs.size(); k += runs.get(runs.size() - 1)) {
      runs.add(runLength(specs, k, dimension));
    }
    return runs;
  }

  /**
   * Whether {@code length} identical flows of this kind on {@code dimension} coordinates are
   * lowered unrolled whatever the draws per call. {@link FlowLowering} multiplies the dets of such
   * runs of planar flows, which a loop over the repeats does not: a formula's kernels for few and
   * for many draws a call are then the same bits. With the shortest looping run set ({@link
   * #withLoopFrom}, the property), to compare the two forms of a stack, every run may loop.
   */
  static boolean neverLoops(FlowKind kind, int length, int dimension) {
    if (LOOP_FROM.get() != null) {
      return false;
    }
    int period = period(kind);
    int run = length / period * period;
    return !loops(kind) || run < 2 * period
        || run < Math.min(drawByDraw(true, () -> loopFrom(kind, dimension)), drawByDraw(false, () -> loopFrom(kind, dimension)));
  }

  /** The shortest run of flows of this kind on {@code dimension} coordinates that loops. */
  private static int loopFrom(FlowKind kind, int dimension) {
    Integer set = LOOP_FROM.get();
    if (set != null) {
      return set;
    }
    if (kind.hasNetwork()) {
      return DRAW_BY_DRAW.get() ? DEFAULT_NETWORK_LOOP_FROM : Integer.MAX_VALUE;
    }
    if (kind.isPyMc3() && !DRAW_BY_DRAW.get() && dimension <= SHORT_VECTOR) {
      return DEFAULT_BATCHED_LOOP_FROM;
    }
    return DEFAULT_LOOP_FROM;
  }

  /** Whether a flow of this kind can be part of a loop's iteration. */
  static boolean loops(FlowKind kind) {
    return kind != FlowKind.LOC && kind != FlowKind.SCALE && kind != FlowKind.REVERSE;
  }

  /**
   * How many flows one iteration applies: two for the flows with a network, whose halves (a
   * coupling's) or masks (a MADE's) alternate from one flow to the next, one for the others.
   */
  static int period(FlowKind kind) {
    return kind.hasNetwork() ? 2 : 1;
  }

  /**
   * How many flows from {@code k} on are identical and loop together, a whole number of
   * iterations (1: lower flow k alone).
   */
  static int runLength(List<FlowSpec> specs, int k, int dimension) {
    FlowSpec first = specs.get(k);
    if (!loops(first.kind())) {
      return 1;
    }
    int end = k + 1;
    while (end < specs.size() && specs.get(end).equals(first)) {
      end++;
    }
    int period = period(first.kind());
    int run = (end - k) / period * period;
    return run >= loopFrom(first.kind(), dimension) && run >= 2 * period ? run : 1;
  }

  /**
   * Flows {@code from .. from + count - 1} (all of one kind and options) applied to z, their
   * log|det| added to {@code logDet} (null: none so far).
   */
  static FlowLowering.Result apply(Graph g, FlowLayout layout, Map<FlowLayout.Slot, Node> parameters, int from,
      int count, Node z, Node logDet) {
    FlowSpec spec = layout.specs().get(from);
    int period = period(spec.kind());
    int iterations = count / period;
    // each iteration's parameters, in one order for every iteration: flow by flow, each flow's slots as listed
    List<List<FlowLayout.Slot>> slots = new ArrayList<>();
    for (int t = 0; t < iterations; t++) {
      slots.add(new ArrayList<>());
    }
    for (FlowLayout.Slot slot : parameters.keySet()) {
      int k = slot.flow() - from;
      if (k >= 0 && k < count) {
        slots.get(k / period).add(slot);
      }
    }
    Comparator<FlowLayout.Slot> order = Comparator.comparingInt(FlowLayout.Slot::flow);
    slots.forEach(list -> list.sort(order));
    List<FlowLayout.Slot> firstSlots = slots.get(0);
    for (List<FlowLayout.Slot> own : slots) {
      boolean same = own.size() == firstSlots.size();
      for (int p = 0; same && p < firstSlots.size(); p++) {
        FlowLayout.Slot a = firstSlots.get(p);
        FlowLayout.Slot b = own.get(p);
        same = a.parameter().equals(b.parameter()) && a.shape().equals(b.shape())
            && (a.flow() - from) % period == (b.flow() - from) % period;
      }
      if (!same) {
        throw new IllegalStateException("flows " + from + ".." + (from + count - 1) + " differ in their parameters");
      }
    }
    boolean hasLogDet = spec.kind() != FlowKind.HH;
    OneIteration one = OneIteration.of(layout, from, period, firstSlots, hasLogDet);

    // stacked parameters in the order they lie in the flows' parameters: iteration 0's value, then
    // iteration 1's, ..., or the other way round where the layout puts the later flows first (it
    // does: theta holds the last flow's parameters first); the loop over the iterations then runs
    // backwards, so each flow is still applied in its turn, and a stacked value whose pieces lie
    // one after another is the parameters where they lie, not a copy
    FlowLayout.Slot first = firstSlots.get(0);
    boolean backwards = layout.slot(first.flow() + period, first.parameter()).offset() < first.offset();
    List<Node> stacked = new ArrayList<>();
    for (int p = 0; p < firstSlots.size(); p++) {
      Node[] parts = new Node[iterations];
      for (int t = 0; t < iterations; t++) {
        Node value = parameters.get(slots.get(backwards ? iterations - 1 - t : t).get(p));
        parts[t] = value.shape().isMatrix() ? g.reshape(value, Shape.vector(value.shape().size())) : value;
      }
      stacked.add(g.concat(parts));
    }
    Node derived = one.parameterBody == null ? null
        : g.scan(one.parameterBody, iterations, false, true, stacked.toArray(Node[]::new));

    List<Node> args = new ArrayList<>();
    args.add(z);
    if (hasLogDet) {
      args.add(logDet != null ? logDet : g.constant(0));
    }
    for (Node boundary : one.boundary) {
      int j = one.derivedOutputs.indexOf(boundary);
      if (j < 0) {
        args.add(stacked.get(one.parameterInputs.indexOf(boundary)));
      } else {
        int size = boundary.shape().isScalar() ? 1 : boundary.shape().size();
        args.add(g.slice(derived, one.parameterBody.yOffset(j, iterations), iterations * size));
      }
    }
    int d = layout.dimension();
    Node loop = g.scan(one.drawBody, iterations, backwards, true, args.toArray(Node[]::new));
    Node out = g.slice(loop, one.drawBody.finalCarryOffset(0), d);
    Node sum = hasLogDet ? g.index(loop, one.drawBody.finalCarryOffset(1)) : logDet;
    return new FlowLowering.Result(out, sum);
  }

  /**
   * One iteration's flows cut in two: the parameter part (inputs: the flows' parameters, a matrix
   * as the vector of its elements; outputs: the values the draw part reads), null if the draw part
   * reads parameters only; the draw part (carries z and, if the flows have one, the log|det| so
   * far; one stacked input per boundary value). Values cross the cut as scalars and vectors: a
   * matrix (a weight, a masked weight placed) crosses as its elements and is reshaped on the
   * other side, a view that costs nothing, so the loops' slices stay vectors.
   */
  private record OneIteration(List<Node> parameterInputs, List<Node> boundary, List<Node> derivedOutputs,
      ScanBody parameterBody, ScanBody drawBody) {

    static OneIteration of(FlowLayout layout, int from, int period, List<FlowLayout.Slot> slots, boolean hasLogDet) {
      int d = layout.dimension();
      Graph g = new Graph(true);
      Node z = g.input("z", 0, Shape.vector(d));
      Node logDet = hasLogDet ? g.input("logdet", 1, Shape.SCALAR) : null;
      int carries = hasLogDet ? 2 : 1;
      List<FlowParameters> byFlow = new ArrayList<>();
      for (int j = 0; j < period; j++) {
        byFlow.add(new FlowParameters(g, from + j));
      }
      List<Node> parameterInputs = new ArrayList<>();
      for (FlowLayout.Slot slot : slots) {
        Shape shape = FlowParameters.inputShape(slot.shape());
        Shape stacked = shape.isMatrix() ? Shape.vector(shape.size()) : shape;
        Node in = g.input(slot.parameter(), carries + parameterInputs.size(), stacked);
        parameterInputs.add(in);
        byFlow.get(slot.flow() - from).add(slot, g.reshape(in, shape));
      }
      // each flow's log|det| added to the sum in its turn, as the unrolled stack adds them
      Node next = z;
      Node nextLogDet = logDet;
      for (int j = 0; j < period; j++) {
        FlowLowering.Result step = FlowLowering.flow(g, layout, from + j, byFlow.get(j), next);
        next = step.z();
        if (hasLogDet) {
          nextLogDet = g.add(nextLogDet, step.logDet());
        }
      }
      List<Node> results = hasLogDet ? List.of(next, nextLogDet) : List.of(next);

      // as ElboSplit: nodes that depend on the carries, and the parameter-only values they read
      List<Node> live = io.flowc.compiler.ir.Graphs.reachable(g, results);
      BitSet perDraw = ElboSplit.dependents(live, hasLogDet ? Set.of(z, logDet) : Set.of(z));
      List<Node> read = ElboSplit.boundary(g, live, perDraw);
      // each as a scalar or vector (a reshaped input is the input itself), each once
      Map<Node, Node> asVector = new HashMap<>();
      List<Node> boundary = new ArrayList<>();
      for (Node b : read) {
        Node v = b.shape().isMatrix() ? g.reshape(b, Shape.vector(b.shape().size())) : b;
        asVector.put(b, v);
        if (!boundary.contains(v)) {
          boundary.add(v);
        }
      }
      // With a parameter part, it hands on the parameters the draw part reads as well: a
      // parameter's adjoint then sums its terms in the unrolled epilogue's order (the draws'
      // term first, then those of the parameter part, last use first), bit for bit.
      boolean anyDerived = boundary.stream().anyMatch(n -> n.op() != Op.INPUT);
      List<Node> derived = anyDerived ? boundary : List.of();

      ScanBody parameterBody = null;
      if (!derived.isEmpty()) {
        List<IrFunction.Output> outputs = new ArrayList<>();
        for (int j = 0; j < derived.size(); j++) {
          outputs.add(new IrFunction.Output("d" + j, derived.get(j)));
        }
        IrFunction part = io.flowc.compiler.ir.Graphs.rebuild(new IrFunction(g, parameterInputs, outputs), new Graph(true));
        parameterBody = new ScanBody(part, 0, parameterInputs.size());
      }

      Graph dg = new Graph(true);
      Map<Node, Node> copy = new HashMap<>();
      List<Node> inputs = new ArrayList<>();
      copy.put(z, dg.input("z", 0, z.shape()));
      inputs.add(copy.get(z));
      if (hasLogDet) {
        copy.put(logDet, dg.input("logdet", 1, Shape.SCALAR));
        inputs.add(copy.get(logDet));
      }
      Map<Node, Node> boundaryInputs = new HashMap<>();
      for (int b = 0; b < boundary.size(); b++) {
        Node in = dg.input("b" + b, inputs.size(), boundary.get(b).shape());
        boundaryInputs.put(boundary.get(b), in);
        inputs.add(in);
      }
      for (Node b : read) {
        copy.put(b, dg.reshape(boundaryInputs.get(asVector.get(b)), b.shape()));
      }
      for (Node n : live) {
        if (copy.containsKey(n) || !(perDraw.get(n.id()) || !n.dependsOnInputs())) {
          continue;
        }
        Node[] args = new Node[n.arity()];
        for (int i = 0; i < args.length; i++) {
          args[i] = copy.get(n.arg(i));
        }
        copy.put(n, dg.copyOf(n, args));
      }
      List<IrFunction.Output> outputs = new ArrayList<>();
      outputs.add(new IrFunction.Output("z", copy.get(next)));
      if (hasLogDet) {
        outputs.add(new IrFunction.Output("logdet", copy.get(nextLogDet)));
      }
      ScanBody drawBody = new ScanBody(new IrFunction(dg, inputs, outputs), carries, boundary.size());
      return new OneIteration(parameterInputs, boundary, derived, parameterBody, drawBody);
    }
  }
}
