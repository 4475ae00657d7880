package io.flowc.compiler.flow;

import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.ir.Op;
import io.flowc.runtime.flow.FlowKind;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.flow.FlowSpec;
import java.util.HashMap;
import java.util.Map;

/**
 * Flow stacks as IR: each flow maps z to f(z) and adds its log|det J|. PyMC3's flows are defined
 * here (spec section 2), the neural flows of docs/spec/neural_flows.md each in its own class
 * ({@link RealNvpFlow}, {@link IafFlow}, {@link NsfFlow}, {@link NsfArFlow}, {@link SylvesterFlow}).
 * Parameters are input nodes of the graph, named by the layout; constraints are built in (planar's
 * u-hat, radial's alpha > 0 and beta > -alpha, Sylvester's |r_ii r~_ii| < 1), so any raw
 * parameters give an invertible map.
 */
public final class FlowLowering {
  /** PyMC3's guard against |w| = 0 and |v| = 0. */
  static final double EPSILON = 1e-10;

  private FlowLowering() {}

  /** The output of a flow stack and its total log|det J|. */
  public record Result(Node z, Node logDet) {}

  /** Applies the layout's flows, first to last, to the base draw {@code eps} (a vector). */
  public static Result apply(Graph g, FlowLayout layout, Map<FlowLayout.Slot, Node> parameters, Node eps) {
    // by flow: looking each parameter up among all slots would cost a pass over them per flow
    Map<Integer, FlowParameters> byFlow = new HashMap<>();
    parameters.forEach((slot, node) -> byFlow.computeIfAbsent(slot.flow(), f -> new FlowParameters(g, f)).add(slot, node));
    Node z = eps;
    LogDet logDet = new LogDet(g);
    // the end of the run of planar flows under way, and whether their dets are multiplied
    int planarEnd = 0;
    boolean multiplied = false;
    for (int k = 0; k < layout.specs().size(); k++) {
      int run = RepeatedFlows.runLength(layout.specs(), k, layout.dimension());
      if (run > 1) {
        Result loop = RepeatedFlows.apply(g, layout, parameters, k, run, z, logDet.sum());
        z = loop.z();
        logDet = new LogDet(g, loop.logDet());
        k += run - 1;
        continue;
      }
      FlowParameters p = byFlow.getOrDefault(k, new FlowParameters(g, k));
      if (layout.specs().get(k).kind() == FlowKind.PLANAR) {
        if (k >= planarEnd) {
          planarEnd = k + 1;
          while (planarEnd < layout.specs().size() && layout.specs().get(planarEnd).kind() == FlowKind.PLANAR) {
            planarEnd++;
          }
          multiplied = RepeatedFlows.neverLoops(FlowKind.PLANAR, planarEnd - k, layout.dimension());
        }
        if (multiplied) {
          PlanarStep step = planarStep(g, z, p.get("u"), p.get("w"), p.get("b"));
          z = step.z();
          logDet.multiply(step.det());
          continue;
        }
      }
      Result step = flow(g, layout, k, p, z);
      z = step.z();
      logDet.add(step.logDet());
    }
    Node sum = logDet.sum();
    return new Result(z, sum == null ? g.constant(0) : sum);
  }

  /**
   * A stack's log|det J| as it is built: the terms of its flows added in order, except that the
   * dets of a run of planar flows too short to loop ({@link RepeatedFlows#neverLoops}: the loop
   * over repeats takes each det's log) are multiplied, {@link #FACTORS} at a time, and the log of
   * the product's absolute value taken once. PyMC3 takes the log of each planar flow's det; the
   * product's log is the same sum to rounding, and saves W1's kernel seven logs and seven
   * divisions (of the gradient of each log) per draw in eight flows: 0.76x the time per call. A
   * product of eight leaves the doubles' range only if its flows' log|det| sum beyond ±708, a
   * draw whose loss would be beyond ±708 from that alone (PyMC3's planar flows keep each det at
   * least tanh² of their pre-activation, and a fit's dets are rarely far from 1).
   */
  private static final class LogDet {
    /** Planar dets multiplied before their log is taken. */
    static final int FACTORS = 8;

    private final Graph g;
    private Node sum;
    private Node product;
    private int factors;

    LogDet(Graph g) {
      this.g = g;
    }

    LogDet(Graph g, Node sum) {
      this.g = g;
      this.sum = sum;
    }

    /** Adds a flow's log|det| (null: 0). */
    void add(Node term) {
      close();
      addToSum(term);
    }

    /** Multiplies a planar flow's det into the product under way. */
    void multiply(Node det) {
      product = product == null ? det : g.mul(product, det);
      if (++factors == FACTORS) {
        close();
      }
    }

    /** The sum so far, the product under way included (null: no term yet). */
    Node sum() {
      close();
      return sum;
    }

    private void close() {
      if (product != null) {
        addToSum(g.log(g.apply(Op.ABS, product)));
        product = null;
        factors = 0;
      }
    }

    private void addToSum(Node term) {
      if (term != null) {
        sum = sum == null ? term : g.add(sum, term);
      }
    }
  }

  /** Flow {@code k} of the layout applied to z, with its parameters {@code p}; its log|det| (null: 0). */
  static Result flow(Graph g, FlowLayout layout, int k, FlowParameters p, Node z) {
    FlowSpec spec = layout.specs().get(k);
    int d = layout.dimension();
    return switch (spec.kind()) {
      case LOC -> new Result(g.add(z, p.get("loc")), null);
      case SCALE -> scale(g, z, p.get("rho"));
      case HH -> new Result(householder(g, z, p.get("v")), null);
      case PLANAR -> planar(g, z, p.get("u"), p.get("w"), p.get("b"));
      case RADIAL -> radial(g, z, p.get("a"), p.get("b"), p.get("z_ref"), d);
      case REVERSE -> new Result(reverse(g, z, d), null);
      case REALNVP -> RealNvpFlow.apply(g, z, p, spec, layout.familyIndex(k), d);
      case IAF -> IafFlow.apply(g, z, p, spec, d);
      case NSF -> NsfFlow.apply(g, z, p, spec, layout.familyIndex(k), d);
      case NSF_AR -> NsfArFlow.apply(g, z, p, spec, d);
      case SYLVESTER -> SylvesterFlow.apply(g, z, p, spec, d);
    };
  }

  /** y = x in reversed coordinate order, log|det| = 0 (docs/spec/neural_flows.md section 2). */
  static Node reverse(Graph g, Node z, int dimension) {
    if (dimension == 1) {
      return z;
    }
    Node[] reversed = new Node[dimension];
    for (int i = 0; i < dimension; i++) {
      reversed[i] = g.index(z, dimension - 1 - i);
    }
    return g.concat(reversed);
  }

  private static Node dot(Graph g, Node a, Node b) {
    return g.sum(g.mul(a, b));
  }

  /** sigma = softplus(rho); f = sigma z; L = sum log sigma. */
  static Result scale(Graph g, Node z, Node rho) {
    Node sigma = g.apply(Op.SOFTPLUS, rho);
    return new Result(g.mul(sigma, z), g.sum(g.log(sigma)));
  }

  /** f = z - 2 v (v.z) / (|v|^2 + 1e-10); |det| = 1. */
  static Node householder(Graph g, Node z, Node v) {
    Node norm = g.add(g.sum(g.square(v)), g.constant(EPSILON));
    return g.sub(z, g.mul(g.div(g.mul(g.constant(2), dot(g, v, z)), norm), v));
  }

  /**
   * kappa = w.u, u-hat = u + (softplus(kappa) - 1 - kappa) w / (|w|^2 + 1e-10);
   * f = z + u-hat tanh(w.z + b); L = log|1 + (1 - tanh^2) w.u-hat|.
   */
  static Result planar(Graph g, Node z, Node u, Node w, Node b) {
    PlanarStep step = planarStep(g, z, u, w, b);
    return new Result(step.z(), g.log(g.apply(Op.ABS, step.det())));
  }

  /** A planar flow's f(z) and det J = 1 + (1 - tanh^2) w.u-hat, whose log|.| is its log|det J|. */
  record PlanarStep(Node z, Node det) {}

  /** {@link #planar}'s map and det J. */
  static PlanarStep planarStep(Graph g, Node z, Node u, Node w, Node b) {
    Node kappa = dot(g, w, u);
    Node m = g.sub(g.apply(Op.SOFTPLUS, kappa), g.constant(1));
    Node normW = g.add(g.sum(g.square(w)), g.constant(EPSILON));
    Node uHat = g.add(u, g.mul(g.div(g.sub(m, kappa), normW), w));
    Node t = g.apply(Op.TANH, g.add(dot(g, w, z), b));
    Node f = g.add(z, g.mul(uHat, t));
    Node slope = g.sub(g.constant(1), g.square(t));
    return new PlanarStep(f, g.add(g.constant(1), g.mul(slope, dot(g, w, uHat))));
  }

  /**
   * alpha = exp(a), beta = softplus(b) - alpha, delta = z - z_ref, r = |delta|, h = 1/(alpha + r);
   * f = z + beta h delta; L = (d - 1) log(1 + beta h) + log(1 + alpha beta h^2), the sum-of-logs
   * form of PyMC3's log of the product.
   */
  static Result radial(Graph g, Node z, Node a, Node b, Node zRef, int dimension) {
    Node alpha = g.exp(a);
    Node beta = g.sub(g.apply(Op.SOFTPLUS, b), alpha);
    Node delta = g.sub(z, zRef);
    Node r = g.sqrt(g.sum(g.square(delta)));
    Node h = g.div(g.constant(1), g.add(alpha, r));
    Node betaH = g.mul(beta, h);
    Node f = g.add(z, g.mul(betaH, delta));
    Node first = g.mul(g.constant(dimension - 1), g.log(g.add(g.constant(1), betaH)));
    Node second = g.log(g.add(g.constant(1), g.mul(g.mul(alpha, betaH), h)));
    return new Result(f, g.add(first, second));
  }
}
