package io.flowc.runtime.nuts;

import java.util.SplittableRandom;

/**
 * One NUTS transition: multinomial sampling over a trajectory built by repeated doubling, as
 * PyMC3's {@code _Tree} (and Stan 2.21+). Each doubling integrates a new subtree forwards or
 * backwards in time from the matching end of the trajectory; a subtree that diverges or makes a
 * U-turn is discarded and ends the transition. Inside a subtree the proposal is drawn uniformly
 * in proportion to the leaves' weights exp(H0 - H); at the top it moves to the new subtree with
 * probability min(1, W_new / W_old), which favours points far from the start.
 *
 * <p>The U-turn criterion is the generalized one on momentum sums, with the two extra checks
 * across the halves of every merged tree (each half's sum extended by the neighbouring momentum
 * of the other half), which catch U-turns that the whole-tree check misses.
 *
 * <p>All storage is allocated once per chain: one slot per recursion level holds a subtree's end
 * momenta and velocities, its momentum sum and its proposal; the leapfrog integrates in place in
 * the end state of the trajectory being extended.
 */
final class Trajectory {
  /** A leaf whose energy exceeds the start's by this much or more (or is NaN) is a divergence. */
  static final double MAX_ENERGY_ERROR = 1000;

  private static final int OK = 0;
  private static final int TURNING = 1;
  private static final int DIVERGING = 2;

  private final Hamiltonian hamiltonian;
  private final SplittableRandom random;
  private final int n;
  private final Subtree[] slots;

  private final PhaseState left;
  private final PhaseState right;
  private final double[] momentumSum;
  private final double[] edgeMomentum;
  private final double[] edgeVelocity;

  // the proposal: position, gradient, log density and energy
  private final double[] proposalQ;
  private final double[] proposalGrad;
  private double proposalLogp;
  private double proposalEnergy;

  private double startEnergy;
  private double logSize;
  private double logMergedSize;
  private double logWeightedAccept;
  private int depth;
  private int leapfrogSteps;
  private boolean diverging;
  private boolean reachedMaxDepth;
  private double maxEnergyError;

  Trajectory(Hamiltonian hamiltonian, SplittableRandom random, int maxDepth) {
    this.hamiltonian = hamiltonian;
    this.random = random;
    this.n = hamiltonian.dimension();
    // a subtree of depth j recurses through levels 0..j; the largest has depth maxDepth - 1
    this.slots = new Subtree[Math.max(1, maxDepth)];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = new Subtree(n);
    }
    left = new PhaseState(n);
    right = new PhaseState(n);
    momentumSum = new double[n];
    edgeMomentum = new double[n];
    edgeVelocity = new double[n];
    proposalQ = new double[n];
    proposalGrad = new double[n];
  }

  /** A subtree's summary: its ends (in integration order), momentum sum, weights and proposal. */
  private static final class Subtree {
    final double[] beginP;
    final double[] beginV;
    final double[] endP;
    final double[] endV;
    final double[] momentumSum;
    final double[] proposalQ;
    final double[] proposalGrad;
    double proposalLogp;
    double proposalEnergy;
    double logSize;
    double logWeightedAccept;

    Subtree(int n) {
      beginP = new double[n];
      beginV = new double[n];
      endP = new double[n];
      endV = new double[n];
      momentumSum = new double[n];
      proposalQ = new double[n];
      proposalGrad = new double[n];
    }
  }

  /**
   * Builds a trajectory from {@code start} (position, momentum, velocity, gradient and energy
   * set) with at most {@code maxDepth} doublings, and draws the next state from it.
   */
  void transition(PhaseState start, double stepSize, int maxDepth) {
    if (maxDepth > slots.length) {
      throw new IllegalArgumentException("maximum depth " + maxDepth + " > " + slots.length);
    }
    left.copyFrom(start);
    right.copyFrom(start);
    System.arraycopy(start.p, 0, momentumSum, 0, n);
    System.arraycopy(start.q, 0, proposalQ, 0, n);
    System.arraycopy(start.grad, 0, proposalGrad, 0, n);
    proposalLogp = start.logp;
    proposalEnergy = start.energy;
    startEnergy = start.energy;
    logSize = 0;
    logMergedSize = Double.NEGATIVE_INFINITY;
    logWeightedAccept = Double.NEGATIVE_INFINITY;
    depth = 0;
    leapfrogSteps = 0;
    diverging = false;
    reachedMaxDepth = false;
    maxEnergyError = 0;

    for (int doubling = 0; doubling < maxDepth; doubling++) {
      boolean forward = random.nextDouble() < 0.5;
      PhaseState edge = forward ? right : left;
      PhaseState far = forward ? left : right;
      System.arraycopy(edge.p, 0, edgeMomentum, 0, n);
      System.arraycopy(edge.v, 0, edgeVelocity, 0, n);
      int status = buildSubtree(depth, 0, edge, forward ? stepSize : -stepSize);
      depth++;
      if (status != OK) {
        diverging = status == DIVERGING;
        return;
      }
      if (merge(slots[0], far.v)) {
        return;
      }
    }
    reachedMaxDepth = true;
  }

  /** Merges a new top-level subtree into the trajectory; true if the result makes a U-turn. */
  private boolean merge(Subtree tree, double[] farVelocity) {
    if (Math.log(random.nextDouble()) < tree.logSize - logSize) {
      takeProposal(tree);
    }
    logSize = logAddExp(logSize, tree.logSize);
    logMergedSize = logAddExp(logMergedSize, tree.logSize);
    logWeightedAccept = logAddExp(logWeightedAccept, tree.logWeightedAccept);
    // the old trajectory is the first half in integration order: far end .. edge
    boolean turning = turnsAcross(momentumSum, farVelocity, edgeMomentum, edgeVelocity, tree);
    for (int i = 0; i < n; i++) {
      momentumSum[i] += tree.momentumSum[i];
    }
    return turning || dot(momentumSum, left.v) <= 0 || dot(momentumSum, right.v) <= 0;
  }

  /**
   * Integrates a subtree of 2^depth leaves from {@code cursor} into {@code slots[level]}. The
   * cursor ends at the subtree's last leaf.
   */
  private int buildSubtree(int depth, int level, PhaseState cursor, double epsilon) {
    if (depth == 0) {
      return leaf(slots[level], cursor, epsilon);
    }
    int status = buildSubtree(depth - 1, level, cursor, epsilon);
    if (status != OK) {
      return status;
    }
    status = buildSubtree(depth - 1, level + 1, cursor, epsilon);
    if (status != OK) {
      return status;
    }
    Subtree first = slots[level];
    Subtree second = slots[level + 1];
    // the extra checks only add information when each half has more than one leaf
    boolean turning = depth > 1
        && turnsAcross(first.momentumSum, first.beginV, first.endP, first.endV, second);
    for (int i = 0; i < n; i++) {
      first.momentumSum[i] += second.momentumSum[i];
    }
    turning = turning || dot(first.momentumSum, first.beginV) <= 0 || dot(first.momentumSum, second.endV) <= 0;

    double merged = logAddExp(first.logSize, second.logSize);
    first.logWeightedAccept = logAddExp(first.logWeightedAccept, second.logWeightedAccept);
    if (Math.log(random.nextDouble()) < second.logSize - merged) {
      first.proposalLogp = second.proposalLogp;
      first.proposalEnergy = second.proposalEnergy;
      System.arraycopy(second.proposalQ, 0, first.proposalQ, 0, n);
      System.arraycopy(second.proposalGrad, 0, first.proposalGrad, 0, n);
    }
    first.logSize = merged;
    System.arraycopy(second.endP, 0, first.endP, 0, n);
    System.arraycopy(second.endV, 0, first.endV, 0, n);
    return turning ? TURNING : OK;
  }

  /**
   * The cross-half U-turn checks between a first half A (momentum sum, velocity at its begin,
   * momentum and velocity at its end) and the following subtree B: A's sum extended by B's first
   * momentum, checked at both of their ends, and B's sum extended by A's last momentum.
   */
  private boolean turnsAcross(double[] sumA, double[] beginVA, double[] endPA, double[] endVA, Subtree b) {
    return dotOfSum(sumA, b.beginP, beginVA) <= 0
        || dotOfSum(sumA, b.beginP, b.beginV) <= 0
        || dotOfSum(endPA, b.momentumSum, endVA) <= 0
        || dotOfSum(endPA, b.momentumSum, b.endV) <= 0;
  }

  private int leaf(Subtree slot, PhaseState cursor, double epsilon) {
    hamiltonian.leapfrog(cursor, epsilon);
    leapfrogSteps++;
    double energyChange = cursor.energy - startEnergy;
    if (Double.isNaN(energyChange)) {
      energyChange = Double.POSITIVE_INFINITY;
    }
    if (Math.abs(energyChange) > Math.abs(maxEnergyError)) {
      maxEnergyError = energyChange;
    }
    // Stan's rule, not PyMC3's |change|: a leaf far more probable than the start (a chain coming
    // in from the far tails of a badly scaled posterior) is a move to take, not a divergence
    if (!(energyChange < MAX_ENERGY_ERROR)) {
      return DIVERGING;
    }
    System.arraycopy(cursor.p, 0, slot.beginP, 0, n);
    System.arraycopy(cursor.v, 0, slot.beginV, 0, n);
    System.arraycopy(cursor.p, 0, slot.endP, 0, n);
    System.arraycopy(cursor.v, 0, slot.endV, 0, n);
    System.arraycopy(cursor.p, 0, slot.momentumSum, 0, n);
    System.arraycopy(cursor.q, 0, slot.proposalQ, 0, n);
    System.arraycopy(cursor.grad, 0, slot.proposalGrad, 0, n);
    slot.proposalLogp = cursor.logp;
    slot.proposalEnergy = cursor.energy;
    slot.logSize = -energyChange;
    slot.logWeightedAccept = -energyChange + Math.min(0, -energyChange);
    return OK;
  }

  private void takeProposal(Subtree tree) {
    System.arraycopy(tree.proposalQ, 0, proposalQ, 0, n);
    System.arraycopy(tree.proposalGrad, 0, proposalGrad, 0, n);
    proposalLogp = tree.proposalLogp;
    proposalEnergy = tree.proposalEnergy;
  }

  /** Writes the chosen state's position, gradient and log density into {@code out}. */
  void copyProposal(PhaseState out) {
    System.arraycopy(proposalQ, 0, out.q, 0, n);
    System.arraycopy(proposalGrad, 0, out.grad, 0, n);
    out.logp = proposalLogp;
  }

  /**
   * PyMC3's mean_tree_accept: the mean of min(1, w) over the leaves of merged subtrees, each
   * weighted by its w = exp(H0 - H); 0 if no subtree was merged.
   */
  double meanTreeAccept() {
    return logMergedSize == Double.NEGATIVE_INFINITY ? 0 : Math.exp(logWeightedAccept - logMergedSize);
  }

  int depth() {
    return depth;
  }

  int leapfrogSteps() {
    return leapfrogSteps;
  }

  boolean diverging() {
    return diverging;
  }

  boolean reachedMaxDepth() {
    return reachedMaxDepth;
  }

  double proposalEnergy() {
    return proposalEnergy;
  }

  double energyError() {
    return proposalEnergy - startEnergy;
  }

  double maxEnergyError() {
    return maxEnergyError;
  }

  static double logAddExp(double a, double b) {
    if (a == Double.NEGATIVE_INFINITY) {
      return b;
    }
    if (b == Double.NEGATIVE_INFINITY) {
      return a;
    }
    // log rather than log1p: HotSpot compiles Math.log to an intrinsic, and the lost precision
    // (below 1e-16 relative) does not matter for proposal weights
    return Math.max(a, b) + Math.log(1 + Math.exp(-Math.abs(a - b)));
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double dotOfSum(double[] a, double[] b, double[] c) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (a[i] + b[i]) * c[i];
    }
    return s;
  }
}
