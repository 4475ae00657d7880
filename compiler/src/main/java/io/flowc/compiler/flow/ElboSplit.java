package io.flowc.compiler.flow;

import io.flowc.compiler.ir.Differentiator;
import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.Graphs;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.IrVerifier;
import io.flowc.compiler.ir.Node;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.TreeSet;

/**
 * Loop-invariant hoisting across Monte Carlo draws (DESIGN section 2). The per-draw loss is cut
 * where values that depend on the flow parameters alone (planar's u-hat, Householder's |v|^2,
 * radial's alpha and beta, softplus(rho), ...) meet values that depend on the base draw:
 * <ul>
 *   <li>the <b>prologue</b> computes those boundary values {@code p0, p1, ...} from theta, once;
 *   <li>the <b>body</b> computes, per draw, the loss (and log q, z) from the boundary values and
 *       eps, and the loss's gradient {@code gbar.pK} with respect to each boundary value;
 *   <li>the <b>epilogue</b> takes the boundary gradients summed over draws as seeds {@code sK} and
 *       pushes them back through the prologue once: the gradient of sum_K seed_K . p_K(theta).
 * </ul>
 * Summing the draws' boundary gradients before the epilogue gives the exact gradient of the mean
 * loss, since the prologue does not depend on the draw.
 */
public final class ElboSplit {
  private ElboSplit() {}

  /** The three functions, and the number of boundary values the prologue hands to the body. */
  public record Parts(IrFunction prologue, IrFunction body, IrFunction epilogue, int boundaryCount) {}

  public static String boundaryName(int k) {
    return "p" + k;
  }

  public static String boundaryGradientName(int k) {
    return "gbar.p" + k;
  }

  public static String seedName(int k) {
    return "s" + k;
  }

  /** The ids of the nodes of {@code live} (in topological order) that depend on any of {@code roots}. */
  static BitSet dependents(List<Node> live, Set<Node> roots) {
    BitSet dependent = new BitSet();
    for (Node n : live) {
      boolean depends = roots.contains(n);
      for (Node a : n.args()) {
        depends |= dependent.get(a.id());
      }
      if (depends) {
        dependent.set(n.id());
      }
    }
    return dependent;
  }

  /**
   * The values the dependent part reads from the rest (those that depend on the function's inputs;
   * constants are rebuilt where used), in id order.
   */
  static List<Node> boundary(Graph g, List<Node> live, BitSet dependent) {
    TreeSet<Integer> boundaryIds = new TreeSet<>();
    for (Node n : live) {
      if (dependent.get(n.id())) {
        for (Node a : n.args()) {
          if (!dependent.get(a.id()) && a.dependsOnInputs()) {
            boundaryIds.add(a.id());
          }
        }
      }
    }
    return boundaryIds.stream().map(id -> g.nodes().get(id)).toList();
  }

  /**
   * Splits a simplified per-draw value function whose inputs are the {@code parameterCount}
   * flow parameters followed by the base draw.
   */
  public static Parts split(IrFunction value, int parameterCount) {
    Graph g = value.graph();
    Node eps = value.inputs().get(parameterCount);
    List<Node> theta = value.inputs().subList(0, parameterCount);
    List<Node> live = value.liveNodes();
    BitSet perDraw = dependents(live, Set.of(eps));
    List<Node> boundary = boundary(g, live, perDraw);
    return new Parts(prologue(value, theta, boundary), body(value, eps, boundary, perDraw),
        epilogue(value, theta, boundary), boundary.size());
  }

  private static IrFunction prologue(IrFunction value, List<Node> theta, List<Node> boundary) {
    List<IrFunction.Output> outputs = new ArrayList<>();
    for (int k = 0; k < boundary.size(); k++) {
      outputs.add(new IrFunction.Output(boundaryName(k), boundary.get(k)));
    }
    return IrVerifier.afterPass(Graphs.rebuild(new IrFunction(value.graph(), theta, outputs), new Graph(true)));
  }

  private static IrFunction body(IrFunction value, Node eps, List<Node> boundary, BitSet perDraw) {
    Graph g = new Graph(true);
    Map<Node, Node> copy = new HashMap<>();
    List<Node> inputs = new ArrayList<>();
    for (int k = 0; k < boundary.size(); k++) {
      Node input = g.input(boundaryName(k), k, boundary.get(k).shape());
      copy.put(boundary.get(k), input);
      inputs.add(input);
    }
    Node epsInput = g.input(eps.name(), boundary.size(), eps.shape());
    copy.put(eps, epsInput);
    inputs.add(epsInput);
    for (Node n : value.liveNodes()) {
      // per-draw nodes, and constant subgraphs they use; theta-only nodes stay in the prologue
      if (copy.containsKey(n) || !(perDraw.get(n.id()) || !n.dependsOnInputs())) {
        continue;
      }
      copy.put(n, copyOf(g, n, copy));
    }
    List<IrFunction.Output> outputs = new ArrayList<>();
    for (IrFunction.Output o : value.outputs()) {
      outputs.add(new IrFunction.Output(o.name(), copy.get(o.node())));
    }
    Node loss = copy.get(value.output(ElboLowering.LOSS));
    List<Node> boundaryInputs = inputs.subList(0, boundary.size());
    List<Node> gradient = Differentiator.gradient(g, loss, boundaryInputs);
    for (int k = 0; k < gradient.size(); k++) {
      outputs.add(new IrFunction.Output(boundaryGradientName(k), gradient.get(k)));
    }
    return IrVerifier.afterPass(Graphs.rebuild(IrVerifier.afterPass(new IrFunction(g, inputs, outputs)), new Graph(true)));
  }

  private static IrFunction epilogue(IrFunction value, List<Node> theta, List<Node> boundary) {
    Graph g = new Graph(true);
    Map<Node, Node> copy = new HashMap<>();
    List<Node> inputs = new ArrayList<>();
    for (Node t : theta) {
      Node input = g.input(t.name(), t.attr(0), t.shape());
      copy.put(t, input);
      inputs.add(input);
    }
    List<Node> seeds = new ArrayList<>();
    for (int k = 0; k < boundary.size(); k++) {
      Node seed = g.input(seedName(k), theta.size() + k, boundary.get(k).shape());
      seeds.add(seed);
      inputs.add(seed);
    }
    for (Node n : Graphs.reachable(value.graph(), boundary)) {
      if (!copy.containsKey(n)) {
        copy.put(n, copyOf(g, n, copy));
      }
    }
    Node objective = null;
    for (int k = 0; k < boundary.size(); k++) {
      Node p = copy.get(boundary.get(k));
      Node term = p.shape().isScalar() ? g.mul(seeds.get(k), p) : g.sum(g.mul(seeds.get(k), p));
      objective = objective == null ? term : g.add(objective, term);
    }
    List<IrFunction.Output> outputs = new ArrayList<>();
    List<Node> thetaInputs = inputs.subList(0, theta.size());
    List<Node> gradient = objective == null
        ? thetaInputs.stream().map(g::zerosLike).toList()
        : Differentiator.gradient(g, objective, thetaInputs);
    for (int k = 0; k < theta.size(); k++) {
      outputs.add(new IrFunction.Output("grad." + theta.get(k).name(), gradient.get(k)));
    }
    return IrVerifier.afterPass(Graphs.rebuild(IrVerifier.afterPass(new IrFunction(g, inputs, outputs)), new Graph(true)));
  }

  /** A node of another graph made again in {@code g}, its arguments already copied. */
  private static Node copyOf(Graph g, Node n, Map<Node, Node> copy) {
    Node[] args = new Node[n.arity()];
    for (int i = 0; i < args.length; i++) {
      args[i] = copy.get(n.arg(i));
    }
    return g.copyOf(n, args);
  }
}
