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
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A run of identical flows ({@code hh*100}, {@code planar*16}) as loops over the repeats instead
 * of one copy of the code per flow (docs/internals.md, "Repeated flows"). One flow is written
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
   * Shortest run of identical flows lowered as loops. Short stacks (W1's planar*8, W2's
   * planar*10) stay unrolled: their straight-line code is compiled early and runs without the
   * loops' copies.
   */
  public static final int DEFAULT_LOOP_FROM = 16;

  /**
   * The system property that overrides {@link #DEFAULT_LOOP_FROM}, for measuring one form against
   * the other (docs/performance.md): a huge value keeps every stack unrolled.
   */
  public static final String LOOP_FROM_PROPERTY = "flowc.loopFrom";

  private static final ThreadLocal<Integer> LOOP_FROM =
      ThreadLocal.withInitial(() -> Math.max(2, Integer.getInteger(LOOP_FROM_PROPERTY, DEFAULT_LOOP_FROM)));

  private RepeatedFlows() {}

  /** Runs {@code action} with runs of at least {@code loopFrom} identical flows lowered as loops. */
  public static <T> T withLoopFrom(int loopFrom, Supplier<T> action) {
    int previous = LOOP_FROM.get();
    LOOP_FROM.set(loopFrom);
    try {
      return action.get();
    } finally {
      LOOP_FROM.set(previous);
    }
  }

  /** Whether a flow of this kind can be one iteration of a loop. */
  static boolean loops(FlowKind kind) {
    return kind == FlowKind.HH || kind == FlowKind.PLANAR || kind == FlowKind.RADIAL;
  }

  /** How many flows from {@code k} on are identical and loop together (1: lower flow k alone). */
  static int runLength(List<FlowSpec> specs, int k) {
    FlowSpec first = specs.get(k);
    if (!loops(first.kind())) {
      return 1;
    }
    int end = k + 1;
    while (end < specs.size() && specs.get(end).equals(first)) {
      end++;
    }
    return end - k >= LOOP_FROM.get() ? end - k : 1;
  }

  /**
   * Flows {@code from .. from + count - 1} (all of one kind) applied to z, their log|det| added
   * to {@code logDet} (null: none so far).
   */
  static FlowLowering.Result apply(Graph g, FlowLayout layout, Map<Integer, FlowParameters> byFlow,
      Map<FlowLayout.Slot, Node> parameters, int from, int count, Node z, Node logDet, int d) {
    FlowSpec spec = layout.specs().get(from);
    List<List<Node>> perFlow = new ArrayList<>();
    List<FlowLayout.Slot> firstSlots = new ArrayList<>();
    for (int k = from; k < from + count; k++) {
      List<Node> own = new ArrayList<>();
      for (Map.Entry<FlowLayout.Slot, Node> e : parameters.entrySet()) {
        if (e.getKey().flow() == k) {
          own.add(e.getValue());
          if (k == from) {
            firstSlots.add(e.getKey());
          }
        }
      }
      perFlow.add(own);
    }
    boolean hasLogDet = spec.kind() != FlowKind.HH;
    OneFlow one = OneFlow.of(spec, firstSlots, hasLogDet, d);

    // stacked parameters in the order they lie in the flows' parameters: flow 0's value, then flow
    // 1's, ..., or the other way round where the layout puts the later flows first (scale-hh*100-loc);
    // the loop over the flows then runs backwards, so each flow is still applied in its turn, and the
    // stacked values are the parameters where they lie, not a copy
    FlowLayout.Slot first = firstSlots.get(0);
    boolean backwards = count > 1 && layout.slot(from + 1, first.parameter()).offset() < first.offset();
    List<Node> stacked = new ArrayList<>();
    for (int p = 0; p < firstSlots.size(); p++) {
      Node[] parts = new Node[count];
      for (int k = 0; k < count; k++) {
        parts[k] = perFlow.get(backwards ? count - 1 - k : k).get(p);
      }
      stacked.add(g.concat(parts));
    }
    Node derived = one.parameterBody == null ? null
        : g.scan(one.parameterBody, count, false, true, stacked.toArray(Node[]::new));

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
        args.add(g.slice(derived, one.parameterBody.yOffset(j, count), count * size));
      }
    }
    Node loop = g.scan(one.drawBody, count, backwards, true, args.toArray(Node[]::new));
    Node out = g.slice(loop, one.drawBody.finalCarryOffset(0), d);
    Node sum = hasLogDet ? g.index(loop, one.drawBody.finalCarryOffset(1)) : logDet;
    return new FlowLowering.Result(out, sum);
  }

  /**
   * One flow cut in two: the parameter part (inputs: the flow's parameters; outputs: the values
   * the draw part reads), null if the draw part reads parameters only; the draw part (carries
   * z and, if the flow has one, the log|det| so far; one stacked input per boundary value).
   */
  private record OneFlow(List<Node> parameterInputs, List<Node> boundary, List<Node> derivedOutputs,
      ScanBody parameterBody, ScanBody drawBody) {

    static OneFlow of(FlowSpec spec, List<FlowLayout.Slot> slots, boolean hasLogDet, int d) {
      Graph g = new Graph(true);
      Node z = g.input("z", 0, Shape.vector(d));
      Node logDet = hasLogDet ? g.input("logdet", 1, Shape.SCALAR) : null;
      int carries = hasLogDet ? 2 : 1;
      FlowParameters p = new FlowParameters(g, slots.get(0).flow());
      List<Node> parameterInputs = new ArrayList<>();
      for (FlowLayout.Slot slot : slots) {
        Node in = g.input(slot.parameter(), carries + parameterInputs.size(), FlowParameters.inputShape(slot.shape()));
        parameterInputs.add(in);
        p.add(slot, in);
      }
      FlowLowering.Result step = switch (spec.kind()) {
        case HH -> new FlowLowering.Result(FlowLowering.householder(g, z, p.get("v")), null);
        case PLANAR -> FlowLowering.planar(g, z, p.get("u"), p.get("w"), p.get("b"));
        case RADIAL -> FlowLowering.radial(g, z, p.get("a"), p.get("b"), p.get("z_ref"), d);
        default -> throw new IllegalArgumentException(spec.kind() + " flows are not lowered as loops");
      };
      Node nextLogDet = hasLogDet ? g.add(logDet, step.logDet()) : null;
      List<Node> results = hasLogDet ? List.of(step.z(), nextLogDet) : List.of(step.z());

      // as ElboSplit: nodes that depend on the carries, and the parameter-only values they read
      List<Node> live = io.flowc.compiler.ir.Graphs.reachable(g, results);
      BitSet perDraw = ElboSplit.dependents(live, hasLogDet ? Set.of(z, logDet) : Set.of(z));
      List<Node> boundary = ElboSplit.boundary(g, live, perDraw);
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
      for (int b = 0; b < boundary.size(); b++) {
        Node in = dg.input("b" + b, inputs.size(), boundary.get(b).shape());
        copy.put(boundary.get(b), in);
        inputs.add(in);
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
      outputs.add(new IrFunction.Output("z", copy.get(step.z())));
      if (hasLogDet) {
        outputs.add(new IrFunction.Output("logdet", copy.get(nextLogDet)));
      }
      ScanBody drawBody = new ScanBody(new IrFunction(dg, inputs, outputs), carries, boundary.size());
      return new OneFlow(parameterInputs, boundary, derived, parameterBody, drawBody);
    }
  }
}
