package io.flowc.compiler.kernel;

import io.flowc.compiler.kernel.Kernel.Array;
import io.flowc.compiler.kernel.Kernel.Assign;
import io.flowc.compiler.kernel.Kernel.Call;
import io.flowc.compiler.kernel.Kernel.At;
import io.flowc.compiler.kernel.Kernel.Const;
import io.flowc.compiler.kernel.Kernel.Copy;
import io.flowc.compiler.kernel.Kernel.Element;
import io.flowc.compiler.kernel.Kernel.Fused;
import io.flowc.compiler.kernel.Kernel.Gather;
import io.flowc.compiler.kernel.Kernel.Instr;
import io.flowc.compiler.kernel.Kernel.Invariant;
import io.flowc.compiler.kernel.Kernel.Lane;
import io.flowc.compiler.kernel.Kernel.LaneAssign;
import io.flowc.compiler.kernel.Kernel.LaneInstr;
import io.flowc.compiler.kernel.Kernel.LaneOperand;
import io.flowc.compiler.kernel.Kernel.LaneSum;
import io.flowc.compiler.kernel.Kernel.LaneWrite;
import io.flowc.compiler.kernel.Kernel.Loop;
import io.flowc.compiler.kernel.Kernel.MatVec;
import io.flowc.compiler.kernel.Kernel.Move;
import io.flowc.compiler.kernel.Kernel.Operand;
import io.flowc.compiler.kernel.Kernel.Outer;
import io.flowc.compiler.kernel.Kernel.Pick;
import io.flowc.compiler.kernel.Kernel.Place;
import io.flowc.compiler.kernel.Kernel.Put;
import io.flowc.compiler.kernel.Kernel.Reduce;
import io.flowc.compiler.kernel.Kernel.Region;
import io.flowc.compiler.kernel.Kernel.Repeat;
import io.flowc.compiler.kernel.Kernel.Return;
import io.flowc.compiler.kernel.Kernel.Scan;
import io.flowc.compiler.kernel.Kernel.Scatter;
import io.flowc.compiler.kernel.Kernel.Search;
import io.flowc.compiler.kernel.Kernel.Splat;
import io.flowc.compiler.kernel.Kernel.Store;
import io.flowc.compiler.kernel.Kernel.Take;
import io.flowc.compiler.kernel.Kernel.Temp;
import io.flowc.compiler.kernel.Kernel.VecOperand;
import io.flowc.compiler.ir.Op;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Turns the ELBO's per-draw body kernel into a {@link BatchedBody}: the same instructions run
 * over a block of draws with the draw index innermost. Each draw alone is a chain of dependent
 * steps (a planar flow's tanh, its log-determinant's log, the next flow's dot product); a loop
 * over independent draws lets the processor overlap them instead of waiting on each step.
 *
 * <ul>
 *   <li>A scalar assignment {@code t = op(a, b)} becomes {@code for b < n: t[b] = op(a[b], b[b])},
 *       a {@link Loop} over the block's draws on the values' rows; a value the prologue wrote (or
 *       a datum, or a constant) is one {@link Splat} for every draw.
 *   <li>An instruction over a long vector (a loop, a reduction, a fused loop, a gather) runs once
 *       per draw as it is, its vectors read across the draw's rows (stride = the row length); runs
 *       of them form the per-draw segments of the batched body.
 *   <li>A scalar accumulation into the shared workspace ({@code acc = acc + v}, the loss and the
 *       boundary gradients, {@link Scheduler}'s {@code AddedTo}) moves to the end of the block:
 *       the accumulator's current value is copied into the first element of v's row and the row
 *       summed in order from 0.0 ({@code ((0.0 + acc) + v[0]) + v[1] ...}), several
 *       accumulators in one loop. {@code 0.0 + acc == acc} bit for bit because an accumulator
 *       that starts at +0.0 never becomes -0.0 (an exact zero sum rounds to +0.0), so the sums
 *       are today's, draw by draw. Accumulations of long vectors stay in the per-draw segments,
 *       where they run in draw order.
 * </ul>
 *
 * Reordering is sound because draws share nothing but those accumulators: the body writes no
 * other shared value (checked), so each value's computation for draw b sees exactly what it saw
 * in the per-draw body. A body this pass cannot prove so (values of data-dependent length, any
 * other write to shared space, an instruction without a batched form) stays per draw.
 *
 * <p>Neural flows: a product of a matrix all draws share (weights the prologue computed) with a
 * per-draw vector runs once for the block ({@link Kernel.BlockMatVec}, several draws per loop
 * trip, each draw's sum in the per-draw order), and so does such a weight's gradient, the
 * per-draw outer product (maybe masked by a select) added into its accumulator
 * ({@link Kernel.BlockOuterSum}, each element summing the draws in draw order). Elementwise
 * instructions over vectors (a bias added, an activation, its derivative) run across the block,
 * a loop over the elements around a loop over the draws ({@link #across}). The other
 * instructions of matrices and flows (masked weights, running sums, a spline's bin search and
 * picks, products with a per-draw matrix, sums into accumulators) run in per-draw segments like
 * the long-vector ones, their vectors and matrices read across rows and their scalar operands
 * from their rows.
 * docs/performance.md ("Neural flows in blocks") has the measurements.
 */
public final class BatchMajor {
  /**
   * How a compiled ELBO runs its body: blocks of up to {@code blockSize} draws when a call has at
   * least {@code minDraws} draws, draw by draw otherwise; {@link #NONE}: always draw by draw.
   */
  public record Policy(int blockSize, int minDraws, int groupSize, double minScalarShare) {
    public static final Policy NONE = new Policy(0, Integer.MAX_VALUE, 1, 0);

    /** A body batched whenever it can be, with the compiler's group size. */
    public Policy(int blockSize, int minDraws) {
      this(blockSize, minDraws, GROUP_SIZE, 0);
    }

    /** Whether a body whose operations per draw are {@code share} scalar ones is batched. */
    public boolean pays(double share) {
      return share >= minScalarShare;
    }

    public boolean batches() {
      return blockSize > 0;
    }
  }

  /** Block size of compiled ELBOs (docs/performance.md has the measurements behind it). */
  public static final int BLOCK_SIZE = 128;

  /** Scalar instructions per loop over the block's draws. */
  public static final int GROUP_SIZE = 16;

  /**
   * Fewest draws in a call for which compiled ELBOs run the batched body. The batched segments
   * are called once per call, not once per draw, so HotSpot compiles them later; with few draws
   * per call a fit of 25,000 steps in a fresh process does not earn that back (W2, 10 draws:
   * 0.37 s against 0.35 s per draw, docs/performance.md).
   */
  public static final int MIN_DRAWS = 16;

  /**
   * The compiler's rule: a body is batched when at least half of its operations per draw would
   * run across the block's draws (a loop over a vector of length L counting L): scalar ones, the
   * chains of dependent steps that batching overlaps, and the products with weights all draws
   * share and those weights' gradients (a product of an m x n matrix counting m n), which run
   * several draws per trip; a body of long-vector loops (W4's Householder flows on 100
   * dimensions, a model's loops over its data) has independent elements in each draw already,
   * and its vectors would be read across the block's rows. A call with fewer than
   * {@link #MIN_DRAWS} draws runs per draw.
   */
  public static final Policy DEFAULT = new Policy(BLOCK_SIZE, MIN_DRAWS, GROUP_SIZE, 0.5);

  /**
   * The share of the per-draw body's operations that the batched body runs across the block's
   * draws (see {@link #DEFAULT}); {@code skipped}: the sums over draws and the parts of weight
   * gradients folded into a block instruction.
   */
  private double batchedShare(Set<Integer> skipped) {
    long batched = 1; // the Return, counted as the rule always has
    long total = 1;
    for (int k = 0; k < instrs.size() - 1; k++) {
      long ops = operations(instrs.get(k), body);
      total += ops;
      if (skipped.contains(k) || perBlockAt(k)) {
        batched += ops;
      }
    }
    return (double) batched / total;
  }

  /**
   * The operations one draw of a per-draw ELBO body runs, counted as the batching rule counts
   * them (a loop over a vector of length L counting L, a product of an m x n matrix m n, the
   * Return 1): the cost per draw from which a fit decides how to split a step's draws across
   * threads (io.flowc.runtime.nfvi.StepSplit).
   */
  public static long operationsPerDraw(Kernel body) {
    List<Instr> instrs = body.body();
    return 1 + operations(instrs.subList(0, instrs.size() - 1), body);
  }

  /**
   * The operations of a kernel run once per call (a prologue or an epilogue), counted as
   * {@link #operationsPerDraw} counts them.
   */
  public static long operations(Kernel kernel) {
    return operations(kernel.body().stream().filter(i -> !(i instanceof Kernel.Return)).toList(), kernel);
  }

  /** The operations of a list of instructions; a loop over the repeats (Repeat) counts its body once per repeat. */
  private static long operations(List<Instr> instrs, Kernel body) {
    long total = 0;
    for (Instr instr : instrs) {
      total += operations(instr, body);
    }
    return total;
  }

  private static long operations(Instr instr, Kernel body) {
    if (instr instanceof Assign || instr instanceof Store) {
      return 1;
    }
    if (instr instanceof Repeat r) {
      long copies = 0;
      for (Copy c : r.before()) {
        copies += c.size();
      }
      for (Copy c : r.after()) {
        copies += c.size();
      }
      // a count read at run time is not batched (dynamic bodies stay per draw): its constant term will do
      return (long) r.count().constantTerm() * (copies + operations(r.body(), body));
    }
    if (instr instanceof Call c) {
      return operations(c.body(), body);
    }
    long perElement = instr instanceof Fused f ? f.body().size() : 1;
    return instructionLength(instr, body) * perElement;
  }

  /** The number of elements a loop-like instruction walks (with data-dependent lengths: the sample binding's). */
  private static long instructionLength(Instr instr, Kernel body) {
    long matrixWork = matrixWork(instr);
    if (matrixWork > 0) {
      return matrixWork;
    }
    Lin length;
    if (instr instanceof Loop l) {
      length = l.length();
    } else if (instr instanceof Reduce r) {
      length = r.length();
    } else if (instr instanceof Move m) {
      length = m.length();
    } else if (instr instanceof Gather g) {
      length = g.length();
    } else if (instr instanceof Scatter sc) {
      length = sc.length();
    } else {
      length = ((Fused) instr).length();
    }
    return Math.max(1, body.probe(length));
  }

  /** The elements a matrix or neural-flow instruction walks; 0 for the others. */
  private static long matrixWork(Instr instr) {
    if (instr instanceof Kernel.Dense d) {
      return d.work();
    } else if (instr instanceof MatVec m) {
      return (long) m.rows() * m.cols();
    } else if (instr instanceof Outer o) {
      return (long) o.rows() * o.cols();
    } else if (instr instanceof Place p) {
      return p.positions().length;
    } else if (instr instanceof Take t) {
      return t.positions().length;
    } else if (instr instanceof Scan sc) {
      return sc.length();
    } else if (instr instanceof Search se) {
      return se.count();
    } else if (instr instanceof Pick || instr instanceof Put) {
      return 1;
    }
    return 0;
  }

  /** Scalar accumulations summed in one loop at the end of a block (one method must stay small). */
  static final int SUMS_PER_LOOP = 32;

  private final Kernel body;
  private final int dimension;
  private final int accumulatorStart;
  private final int accumulatorEnd;
  private final int blockSize;
  private final int minDraws;
  private final int groupSize;
  private final java.util.function.DoublePredicate pays;
  private final int rowStride;
  /** {@link #across} of each instruction, found once: the batching asks again for each instruction several times. */
  private final Map<Instr, Boolean> acrossKnown = new IdentityHashMap<>();
  private final int countSlot;
  private final int firstRow;
  private final Lin count;
  private final List<Instr> instrs;
  private final int scratchStart;
  private final int scratchLength;

  /** Instruction index to the sum over draws of outer products that runs there for the block. */
  private final Map<Integer, OuterSum> outerSums = new HashMap<>();

  /** Instruction index to the vectors that instruction adds into accumulators, summed across the block there. */
  private final Map<Integer, List<VectorSum>> vectorSums = new HashMap<>();

  /** Per-draw temporary id to its row (absent: the temporary never leaves its per-draw segment). */
  private final Map<Integer, Integer> rows = new HashMap<>();
  /**
   * Each instruction's {@link #places}, listed once: the searches for a value's readers visit
   * every instruction for every value, and a list made at each visit kept a fit's first seconds
   * busy (HotSpot compiled the method they made hot, for seconds of a core, as the fit began).
   */
  private final List<List<Object>> placesOf;
  /**
   * The instructions with a place in the workspace, by the place's first index (an element's
   * index, a region's offset): {@link #onlyReader} looks up a value's range here instead of
   * visiting every instruction for every value.
   */
  private final NavigableMap<Integer, List<Integer>> byFirstIndex = new TreeMap<>();
  private int rowCount;
  private int tempCount;

  private BatchMajor(Kernel body, int dimension, int accumulatorStart, int accumulatorEnd, Policy policy) {
    this.body = body;
    this.dimension = dimension;
    this.accumulatorStart = accumulatorStart;
    this.accumulatorEnd = accumulatorEnd;
    this.blockSize = policy.blockSize();
    this.minDraws = policy.minDraws();
    this.groupSize = policy.groupSize();
    this.pays = policy::pays;
    this.rowStride = blockSize + 1;
    this.countSlot = body.workspaceSize();
    this.firstRow = countSlot + 1;
    this.count = Lin.slot(countSlot, 1);
    this.instrs = body.body();
    this.placesOf = instrs.stream().map(BatchMajor::places).toList();
    for (int k = 0; k < instrs.size(); k++) {
      for (Object place : placesOf.get(k)) {
        int index = firstWorkIndex(place);
        if (index >= 0) {
          byFirstIndex.computeIfAbsent(index, i -> new ArrayList<>()).add(k);
        }
      }
    }
    this.scratchStart = body.scratchStart();
    this.scratchLength = body.workspaceSize() - body.scratchStart();
    this.tempCount = body.tempCount();
  }

  /**
   * The batched form of a per-draw ELBO body whose base draw has {@code dimension} elements and
   * whose sums over draws lie in {@code w[accumulatorStart .. accumulatorEnd)}, for blocks of up
   * to {@code policy.blockSize()} draws; empty if the body cannot be batched (see the class comment) or
   * the policy says batching would not pay.
   */
  public static Optional<BatchedBody> batch(Kernel body, int dimension, int accumulatorStart, int accumulatorEnd,
      Policy policy) {
    if (!policy.batches() || policy.minDraws() < 1 || policy.groupSize() < 1) {
      throw new IllegalArgumentException("not a batching policy: " + policy);
    }
    try {
      return Optional.of(new BatchMajor(body, dimension, accumulatorStart, accumulatorEnd, policy).run());
    } catch (Unbatchable e) {
      return Optional.empty();
    }
  }

  /** Why a body stays per draw; internal, the caller sees an empty result. */
  private static final class Unbatchable extends Exception {
    Unbatchable(String why) {
      super(why, null, false, false);
    }
  }

  /** A scalar accumulation {@code w[accumulator] += value}, at instruction {@code at}. */
  private record Sum(int accumulator, Operand value, int at) {}

  // ---- analysis ----------------------------------------------------------------------------

  private boolean perBlock(Instr instr) {
    return instr instanceof Assign || instr instanceof Store || blockProduct(instr);
  }

  private boolean perBlockAt(int k) {
    return perBlock(instrs.get(k)) || outerSums.containsKey(k);
  }

  /** Whether instruction k runs for the whole block as one instruction of its own. */
  private boolean blockAt(int k) {
    return blockProduct(instrs.get(k)) || outerSums.containsKey(k) || across(instrs.get(k)) || vectorSums.containsKey(k);
  }

  /**
   * Whether instruction k runs once for the block: the scalar instructions and block products
   * the batching rule counts ({@link #perBlockAt}), and the elementwise instructions over
   * vectors that run across the block ({@link #across}); the rule's share is counted without
   * the latter, so which bodies are batched does not change with them.
   */
  private boolean runsPerBlock(int k) {
    return perBlockAt(k) || across(instrs.get(k)) || vectorSums.containsKey(k);
  }

  /** {@code accumulator[i] += value[i]} for i below {@code length}, value a per-draw vector. */
  private record VectorSum(Region accumulator, Region value, int length) {}

  /**
   * Finds the per-draw body's sums of vectors into accumulators ({@code acc = acc + v} as a loop,
   * or several such in one fused loop), each accumulator touched by that instruction alone. Per
   * draw each element receives the draws in draw order; across the block it still does (see
   * {@link #vectorSumLoops}).
   */
  private void findVectorSums(Set<Integer> skipped) {
    for (int k = 0; k < instrs.size() - 1; k++) {
      if (skipped.contains(k)) {
        continue;
      }
      List<VectorSum> found = new ArrayList<>();
      Instr instr = instrs.get(k);
      if (instr instanceof Loop l && l.op() == Op.ADD && l.length().isConstant() && l.args().size() == 2) {
        VectorSum sum = vectorSum(l.target(), l.args().get(0), l.args().get(1), l.length().constant());
        if (sum == null) {
          continue;
        }
        found.add(sum);
      } else if (instr instanceof Fused f && f.length().isConstant() && f.body().size() % 2 == 0) {
        for (int i = 0; i < f.body().size(); i += 2) {
          if (f.body().get(i) instanceof LaneAssign a && a.op() == Op.ADD && a.args().size() == 2
              && a.args().get(0) instanceof At x && a.args().get(1) instanceof At y
              && f.body().get(i + 1) instanceof LaneWrite w && w.value().equals(a.target())) {
            VectorSum sum = vectorSum(w.target(), x.region(), y.region(), f.length().constant());
            if (sum != null) {
              found.add(sum);
              continue;
            }
          }
          found.clear();
          break;
        }
      }
      if (found.isEmpty()) {
        continue;
      }
      boolean alone = true;
      for (VectorSum v : found) {
        alone &= onlyReader(v.accumulator(), v.length(), k) == -1;
      }
      if (alone) {
        vectorSums.put(k, found);
      }
    }
  }

  /** {@code target = x + y} as a sum of a per-draw vector into an accumulator, or null. */
  private VectorSum vectorSum(Region target, Object x, Object y, int length) {
    if (target.array() != Array.WORK || !target.offset().isConstant() || target.stride() != 1) {
      return null;
    }
    int start = target.offset().constant();
    if (!isAccumulator(start) || !isAccumulator(start + length - 1)) {
      return null;
    }
    Object value = target.equals(x) ? y : target.equals(y) ? x : null;
    return value instanceof Region r && perDrawRegion(r) ? new VectorSum(target, r, length) : null;
  }

  /**
   * An elementwise instruction of the per-draw body over a vector of a fixed length L (a loop, a
   * move, or a fused loop without sums) that writes only the draw's own values and reads the
   * draw's values, values shared by all draws (weights, data; no accumulator) and constants.
   * In the batched body it runs across the block, for each of the L elements a loop over the
   * draws (draws innermost and contiguous, the way the scalar steps run, so that HotSpot's
   * superword pass can take it), instead of once per draw over the L elements read a row apart.
   * Each draw's elements are computed by the same operations in the same order, and draws share
   * nothing written, so every value keeps its bits.
   */
  private boolean across(Instr instr) {
    Boolean known = acrossKnown.get(instr);
    if (known == null) {
      // each shared vector read takes a cell of the row beside the element's index (acrossForm)
      known = acrossForm(instr) && sharedRegions(instr).size() < rowStride - 1;
      acrossKnown.put(instr, known);
    }
    return known;
  }

  /** The offsets of the shared vectors an instruction reads (none but in across forms). */
  private Set<Integer> sharedRegions(Instr instr) {
    Set<Integer> out = new HashSet<>();
    for (Object place : places(instr)) {
      if (place instanceof Region r && !perDrawRegion(r)) {
        out.add(r.offset().constant());
      }
    }
    return out;
  }

  private boolean acrossForm(Instr instr) {
    if (instr instanceof Outer o) {
      // one column: target[i] = left[i] * right[0], elementwise
      return o.cols() == 1 && perDrawRegion(o.target()) && perDrawRegion(o.left()) && perDrawRegion(o.right());
    } else if (instr instanceof Loop l) {
      return l.length().isConstant() && perDrawRegion(l.target())
          && l.args().stream().allMatch(v -> acrossOperand(v, l.length().constant()));
    } else if (instr instanceof Move m) {
      return m.length().isConstant() && perDrawRegion(m.target()) && acrossOperand(m.source(), m.length().constant());
    } else if (instr instanceof Fused f) {
      if (!f.length().isConstant()) {
        return false;
      }
      int length = f.length().constant();
      for (LaneInstr li : f.body()) {
        if (li instanceof LaneSum) {
          return false;
        } else if (li instanceof LaneWrite w) {
          if (!perDrawRegion(w.target()) || !acrossOperand(w.value(), length)) {
            return false;
          }
        } else if (!((LaneAssign) li).args().stream().allMatch(o -> acrossOperand(o, length))) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  private boolean acrossOperand(VecOperand v, int length) {
    return v instanceof Splat s ? acrossScalar(s.scalar()) : acrossRegion((Region) v, length);
  }

  private boolean acrossOperand(LaneOperand o, int length) {
    if (o instanceof At at) {
      return acrossRegion(at.region(), length);
    }
    return !(o instanceof Invariant inv) || acrossScalar(inv.scalar());
  }

  private boolean acrossScalar(Operand o) {
    if (o instanceof Element e) {
      return perDraw(e) || e.array() == Array.WORK && !isAccumulator(e.index());
    }
    return true;
  }

  private boolean acrossRegion(Region r, int length) {
    if (perDrawRegion(r)) {
      return true;
    }
    if (r.array() != Array.WORK || !r.offset().isConstant() || r.stride() != 1) {
      return false;
    }
    int start = r.offset().constant();
    return start + length <= accumulatorStart || start >= accumulatorEnd;
  }

  /**
   * A weight matrix's gradient: the per-draw body's {@code O = outer(l, r)}, maybe {@code S =
   * select(mask, O, 0)}, and {@code acc = acc + S} into the matrix's accumulator, O and S read by
   * nothing else. The block adds its draws' terms into acc in draw order where S was computed
   * (or O, without a mask): the accumulator is read by nothing else, so the sum is the per-draw
   * body's.
   */
  private record OuterSum(Outer outer, Region accumulator, Operand mask) {}

  /**
   * Finds the weight gradients {@link OuterSum} can sum for the block; the outer product, or
   * the select, is where the sum runs, the other instructions of the pattern join {@code skipped}.
   */
  private void findOuterSums(Set<Integer> skipped) {
    int last = instrs.size() - 1;
    for (int k = 0; k < last; k++) {
      if (skipped.contains(k) || !(instrs.get(k) instanceof Outer o) || !perDrawRegion(o.left())
          || !perDrawRegion(o.right()) || !perDrawRegion(o.target()) || o.target().array() != Array.WORK) {
        continue;
      }
      int size = o.rows() * o.cols();
      int at = k;
      Region summed = o.target();
      Operand mask = null;
      int reader = onlyReader(summed, size, k);
      if (reader >= 0 && instrs.get(reader) instanceof Loop l && l.op() == Op.SELECT && isLength(l.length(), size)
          && l.args().get(0) instanceof Splat cond && perDraw(cond.scalar())
          && l.args().get(1).equals(summed) && l.args().get(2).equals(new Splat(new Const(0.0)))
          && perDrawRegion(l.target()) && l.target().array() == Array.WORK) {
        at = reader;
        mask = cond.scalar();
        summed = l.target();
        reader = onlyReader(summed, size, reader);
      }
      if (reader < 0 || !(instrs.get(reader) instanceof Loop add) || add.op() != Op.ADD || !isLength(add.length(), size)
          || add.target().array() != Array.WORK || add.target().stride() != 1 || !add.target().offset().isConstant()) {
        continue;
      }
      Region acc = add.target();
      int start = acc.offset().constant();
      boolean sumsInto = add.args().equals(List.of(acc, summed)) || add.args().equals(List.of(summed, acc));
      if (!sumsInto || !isAccumulator(start) || !isAccumulator(start + size - 1) || onlyReader(acc, size, reader) != -1
          || skipped.contains(reader)) {
        continue;
      }
      outerSums.put(at, new OuterSum(o, acc, mask));
      skipped.add(reader);
      if (at != k) {
        skipped.add(k);
      }
    }
  }

  private static boolean isLength(Lin length, int size) {
    return length.isConstant() && length.constant() == size;
  }

  /**
   * The one instruction other than {@code except} that touches {@code size} elements of the
   * workspace from {@code r} on; -1 if none, -2 if several. Values never share workspace (the
   * scheduler gives each its own region), so an instruction reading this value reads from
   * inside it.
   */
  private int onlyReader(Region r, int size, int except) {
    int start = r.offset().constant();
    int found = -1;
    for (List<Integer> touching : byFirstIndex.subMap(start, true, start + size, false).values()) {
      for (int k : touching) {
        if (k == except) {
          continue;
        }
        if (found >= 0 && found != k) {
          return -2;
        }
        found = k;
      }
    }
    return found;
  }

  /** The first workspace index of an element or of a region at a constant offset; -1 for other places. */
  private static int firstWorkIndex(Object place) {
    if (place instanceof Element e && e.array() == Array.WORK) {
      return e.index();
    } else if (place instanceof Region r && r.array() == Array.WORK && r.offset().isConstant()) {
      return r.offset().constant();
    }
    return -1;
  }

  private Kernel.BlockOuterSum blockForm(OuterSum s) {
    Region mask = s.mask() == null ? null : rowRegion(rowOf(s.mask()));
    return new Kernel.BlockOuterSum(s.accumulator(), blockRows(s.outer().left()), blockRows(s.outer().right()), mask,
        s.outer().rows(), s.outer().cols(), count);
  }

  /**
   * A matrix-vector product with a matrix the same for every draw (a value the prologue computed)
   * and a per-draw vector: it runs for the whole block as a {@link Kernel.BlockMatVec}.
   */
  private boolean blockProduct(Instr instr) {
    return instr instanceof MatVec m && sharedMatrix(m.matrix(), scratchStart, scratchStart + scratchLength)
        && perDrawRegion(m.vector()) && perDrawRegion(m.target());
  }

  private static boolean sharedMatrix(Region r, int scratchStart, int scratchEnd) {
    if (r.array() != Array.WORK || !r.offset().isConstant()) {
      return false;
    }
    int offset = r.offset().constant();
    return offset < scratchStart || offset >= scratchEnd;
  }

  private boolean perDrawRegion(Region r) {
    return r.offset().isConstant() && r.stride() == 1
        && (r.array() == Array.EPS || r.array() == Array.WORK && isScratch(r.offset().constant()));
  }

  private boolean isAccumulator(int index) {
    return index >= accumulatorStart && index < accumulatorEnd;
  }

  private boolean isScratch(int index) {
    return index >= scratchStart && index < scratchStart + scratchLength;
  }

  private BatchedBody run() throws Unbatchable {
    if (body.dynamic() != null || !body.workspaceEnd().isConstant()) {
      throw new Unbatchable("values of data-dependent length");
    }
    if (instrs.stream().anyMatch(i -> i instanceof Kernel.Dense)) {
      // a runtime routine works on one draw's contiguous matrices (docs/internals.md, "Dense linear algebra")
      throw new Unbatchable("a dense linear-algebra routine");
    }
    if (instrs.stream().anyMatch(i -> i instanceof Repeat)) {
      // a scan's loop runs per draw (docs/internals.md, "Scan")
      throw new Unbatchable("a loop over a scan's iterations");
    }
    int last = instrs.size() - 1;
    if (last < 0 || !(instrs.get(last) instanceof Return r) || !(r.value() instanceof Const)) {
      throw new Unbatchable("the body returns a value");
    }
    // the scalar accumulations: acc = acc + v; w[acc] = that, the temporary used nowhere else
    Map<Integer, Integer> uses = new HashMap<>();
    for (Instr instr : instrs) {
      Kernel.tempsRead(instr).forEach(t -> uses.merge(t.id(), 1, Integer::sum));
    }
    List<Sum> sums = new ArrayList<>();
    Set<Integer> inSums = new HashSet<>();
    Set<Integer> summedAccumulators = new HashSet<>();
    for (int k = 0; k + 1 < last; k++) {
      if (instrs.get(k) instanceof Assign a && a.op() == Op.ADD && a.args().get(0) instanceof Element e
          && e.array() == Array.WORK && isAccumulator(e.index()) && instrs.get(k + 1) instanceof Store s
          && s.target().equals(e) && s.value().equals(a.target()) && uses.get(a.target().id()) == 1) {
        if (!summedAccumulators.add(e.index())) {
          throw new Unbatchable("two sums into one accumulator");
        }
        if (a.args().get(1) instanceof Element v && (v.array() != Array.WORK && v.array() != Array.EPS
            || v.array() == Array.WORK && isAccumulator(v.index()))) {
          throw new Unbatchable("a sum of a shared value");
        }
        sums.add(new Sum(e.index(), a.args().get(1), k));
        inSums.add(k);
        inSums.add(k + 1);
      }
    }
    check(inSums, summedAccumulators);
    findOuterSums(inSums);
    findVectorSums(inSums);
    if (!pays.test(batchedShare(inSums))) {
      throw new Unbatchable("most of the work stays per draw");
    }

    // segments: runs of scalar instructions (per block) and of the rest (per draw)
    int[] segmentOf = new int[last];
    int segmentCount = 0;
    for (int k = 0; k < last; k++) {
      if (inSums.contains(k)) {
        segmentOf[k] = -1;
        continue;
      }
      int previous = -1;
      for (int j = k - 1; j >= 0; j--) {
        if (!inSums.contains(j)) {
          previous = j;
          break;
        }
      }
      boolean same = previous >= 0 && runsPerBlock(previous) == runsPerBlock(k);
      segmentOf[k] = same ? segmentOf[previous] : segmentCount++;
    }

    // units: a per-draw segment, or up to groupSize scalar instructions run as one loop
    int[] unitOf = new int[last];
    int units = 0;
    int inUnit = 0;
    int previousSegment = -1;
    boolean afterProduct = false;
    for (int k = 0; k < last; k++) {
      if (inSums.contains(k)) {
        continue;
      }
      // a product is a unit of its own
      boolean alone = blockAt(k) || afterProduct;
      afterProduct = blockAt(k);
      boolean fresh = segmentOf[k] != previousSegment || runsPerBlock(k) && inUnit == groupSize || alone;
      if (fresh) {
        units++;
        inUnit = 0;
      }
      unitOf[k] = units - 1;
      inUnit++;
      previousSegment = segmentOf[k];
    }

    // which temporaries need rows (those read outside their unit), and when each row is free again
    Map<Integer, Integer> definedAt = new HashMap<>();
    Map<Integer, Integer> lastUse = new HashMap<>();
    Set<Integer> leaves = new HashSet<>();
    for (int k = 0; k < last; k++) {
      if (inSums.contains(k)) {
        continue;
      }
      int at = k;
      for (Temp t : Kernel.tempsWritten(instrs.get(k))) {
        definedAt.put(t.id(), at);
      }
      Kernel.tempsRead(instrs.get(k)).forEach(t -> {
        lastUse.put(t.id(), at);
        Integer def = definedAt.get(t.id());
        if (def != null && unitOf[def] != unitOf[at]) {
          leaves.add(t.id());
        }
      });
    }
    for (Sum s : sums) {
      if (s.value() instanceof Temp t) {
        leaves.add(t.id());
        lastUse.put(t.id(), last);
      }
    }
    assignRows(definedAt, lastUse, leaves, inSums, last);

    // the segments
    List<Pending> out = new ArrayList<>();
    List<Instr> current = new ArrayList<>();
    int currentSegment = -1;
    boolean currentPerBlock = true;
    List<Instr> group = new ArrayList<>();
    int currentUnit = -1;
    for (int k = 0; k < last; k++) {
      if (inSums.contains(k)) {
        continue;
      }
      if (unitOf[k] != currentUnit) {
        current.addAll(loopOverDraws(group));
        group.clear();
        currentUnit = unitOf[k];
      }
      if (segmentOf[k] != currentSegment) {
        if (currentSegment >= 0) {
          out.add(new Pending(currentPerBlock, current));
        }
        current = new ArrayList<>();
        currentSegment = segmentOf[k];
        currentPerBlock = runsPerBlock(k);
      }
      if (outerSums.containsKey(k)) {
        current.add(blockForm(outerSums.get(k)));
      } else if (blockProduct(instrs.get(k))) {
        current.add(blockForm((MatVec) instrs.get(k)));
      } else if (across(instrs.get(k))) {
        current.add(acrossLoop(instrs.get(k)));
      } else if (vectorSums.containsKey(k)) {
        for (VectorSum v : vectorSums.get(k)) {
          current.add(vectorSumLoop(v));
        }
      } else if (currentPerBlock) {
        group.add(instrs.get(k));
      } else {
        current.add(drawInstr(instrs.get(k)));
        for (Temp t : Kernel.tempsWritten(instrs.get(k))) {
          if (rows.containsKey(t.id())) {
            current.add(new Store(drawElement(rows.get(t.id())), t));
          }
        }
      }
    }
    current.addAll(loopOverDraws(group));
    if (currentSegment >= 0 && !currentPerBlock) {
      out.add(new Pending(false, current));
      current = new ArrayList<>();
    }
    current.addAll(sumOverDraws(sums));
    if (!current.isEmpty()) {
      out.add(new Pending(true, current));
    }
    int workspaceSize = firstRow + rowCount * rowStride;
    List<BatchedBody.Segment> segments = new ArrayList<>();
    for (Pending p : out) {
      List<Instr> withReturn = new ArrayList<>(p.instructions());
      withReturn.add(new Return(new Const(0)));
      segments.add(new BatchedBody.Segment(p.perBlock(),
          new Kernel(body.dimension(), workspaceSize, scratchStart, tempCount, withReturn)));
    }
    return new BatchedBody(blockSize, rowStride, countSlot, rowStart(0), workspaceSize, segments, minDraws);
  }

  private record Pending(boolean perBlock, List<Instr> instructions) {}

  /**
   * Draws may share nothing but the accumulators: scalar instructions outside the sums touch no
   * accumulator, nothing writes below the body's scratch space but into accumulators, and the
   * long-vector accumulations use accumulators of their own.
   */
  private void check(Set<Integer> inSums, Set<Integer> summedAccumulators) throws Unbatchable {
    for (int k = 0; k < instrs.size() - 1; k++) {
      if (inSums.contains(k)) {
        continue;
      }
      Instr instr = instrs.get(k);
      if (!hasBatchedForm(instr)) {
        throw new Unbatchable("no batched form for " + instr.getClass().getSimpleName());
      }
      for (Object place : placesOf.get(k)) {
        Array array = place instanceof Element e ? e.array() : ((Region) place).array();
        if (array == Array.Z || array == Array.GRAD || array == Array.DRAWS) {
          throw new Unbatchable("reads or writes " + array);
        }
        if (place instanceof Region r && !r.offset().isConstant()) {
          throw new Unbatchable("an offset known at run time only");
        }
        if (place instanceof Region r && r.stride() != 1) {
          throw new Unbatchable("a strided region");
        }
        int index = place instanceof Element e ? e.index() : ((Region) place).offset().constant();
        if (array == Array.WORK && isAccumulator(index) && (perBlock(instr) || summedAccumulators.contains(index))) {
          throw new Unbatchable("an accumulator used outside its sum");
        }
      }
      for (Region target : targets(instr)) {
        int index = target.offset().constant();
        if (target.array() != Array.WORK || !(isScratch(index) || isAccumulator(index))) {
          throw new Unbatchable("a write to shared space");
        }
      }
    }
  }

  /**
   * The instructions this pass rewrites; a body with any other (an instruction added to
   * {@link Kernel} later) stays per draw until its batched form is written here and in the
   * backends.
   */
  private static boolean hasBatchedForm(Instr instr) {
    return instr instanceof Assign || instr instanceof Store || instr instanceof Loop || instr instanceof Reduce
        || instr instanceof Move || instr instanceof Gather || instr instanceof Scatter || instr instanceof Fused
        || matrixWork(instr) > 0;
  }

  /**
   * Rows by liveness: a row is free again after the last instruction reading its temporary, so
   * the block's working set stays near what the body keeps alive at once. Base draws and the
   * body's scratch space come first, one row per element.
   */
  private void assignRows(Map<Integer, Integer> definedAt, Map<Integer, Integer> lastUse, Set<Integer> leaves,
      Set<Integer> inSums, int last) {
    rowCount = dimension + scratchLength;
    ArrayDeque<Integer> free = new ArrayDeque<>();
    Map<Integer, List<Integer>> freedAfter = new HashMap<>();
    for (int k = 0; k < last; k++) {
      if (inSums.contains(k)) {
        continue;
      }
      for (Temp t : Kernel.tempsWritten(instrs.get(k))) {
        if (!leaves.contains(t.id())) {
          continue;
        }
        int row = free.isEmpty() ? rowCount++ : free.pop();
        rows.put(t.id(), row);
        int end = lastUse.getOrDefault(t.id(), definedAt.get(t.id()));
        freedAfter.computeIfAbsent(end, x -> new ArrayList<>()).add(row);
      }
      for (int row : freedAfter.getOrDefault(k, List.of())) {
        free.push(row);
      }
    }
  }

  // ---- rewriting -----------------------------------------------------------------------------

  private int rowStart(int row) {
    return firstRow + row * rowStride;
  }

  /** The row of a per-draw place: a base-draw element, a scratch element, or a temporary. */
  private int rowOf(Operand o) {
    if (o instanceof Temp t) {
      Integer row = rows.get(t.id());
      if (row == null) {
        throw new IllegalStateException("temporary " + t.id() + " has no row");
      }
      return row;
    }
    Element e = (Element) o;
    return e.array() == Array.EPS ? e.index() : dimension + e.index() - scratchStart;
  }

  /** Whether an operand differs from draw to draw. */
  private boolean perDraw(Operand o) {
    return o instanceof Temp || o instanceof Element e && (e.array() == Array.EPS || isScratch(e.index()));
  }

  /** A row's values over the block's draws. */
  private Region rowRegion(int row) {
    return new Region(Array.WORK, rowStart(row) + 1);
  }

  /** A row's value for the current draw (base = the draw's index). */
  private Element drawElement(int row) {
    return new Element(Array.DRAWS, rowStart(row) + 1);
  }

  private VecOperand blockOperand(Operand o) {
    return perDraw(o) ? rowRegion(rowOf(o)) : new Splat(o);
  }

  private Kernel.BlockMatVec blockForm(MatVec m) {
    return new Kernel.BlockMatVec(blockRows(m.target()), m.matrix(), blockRows(m.vector()), m.rows(), m.cols(),
        m.transposed(), count);
  }

  /** A per-draw vector as the block's rows: element k's draws along row k. */
  private Region blockRows(Region r) {
    int offset = r.offset().constant();
    int row = r.array() == Array.EPS ? offset : dimension + offset - scratchStart;
    return new Region(Array.WORK, Lin.of(rowStart(row) + 1), rowStride);
  }

  /**
   * An instruction {@link #across} the block: a loop over its L elements (a {@link Repeat}, the
   * element's index in a cell of its own) whose body is one fused loop over the block's draws. A
   * per-draw vector's element t is row t of the vector's rows; a shared vector's element t is
   * copied, before each iteration, into a frame cell that the loop over draws reads as one value;
   * a per-draw scalar is its row.
   */
  private Repeat acrossLoop(Instr instr) {
    int cells = rowStart(rowCount++);
    int index = cells;
    List<Copy> before = new ArrayList<>();
    Map<Integer, Element> frames = new HashMap<>();
    java.util.function.Function<Region, LaneOperand> element = r -> {
      if (perDrawRegion(r)) {
        return new At(acrossRows(r, index));
      }
      return new Invariant(frames.computeIfAbsent(r.offset().constant(), offset -> {
        Element frame = new Element(Array.WORK, cells + 1 + frames.size());
        before.add(new Copy(new Region(Array.WORK, offset), new Region(Array.WORK, frame.index()), 1, true));
        return frame;
      }));
    };
    java.util.function.Function<Operand, LaneOperand> scalar =
        o -> perDraw(o) ? new At(rowRegion(rowOf(o))) : new Invariant(o);
    java.util.function.Function<VecOperand, LaneOperand> vector =
        v -> v instanceof Splat s ? scalar.apply(s.scalar()) : element.apply((Region) v);
    java.util.function.Function<LaneOperand, LaneOperand> lane = o -> o instanceof At at ? element.apply(at.region())
        : o instanceof Invariant inv ? scalar.apply(inv.scalar()) : o;
    List<LaneInstr> body = new ArrayList<>();
    int length;
    if (instr instanceof Outer o) {
      length = o.rows();
      Lane value = new Lane(0);
      Element right = new Element(o.right().array(), o.right().offset().constant());
      body.add(new LaneAssign(value, Op.MUL, new int[0], List.of(element.apply(o.left()), scalar.apply(right))));
      body.add(new LaneWrite(acrossRows(o.target(), index), value));
    } else if (instr instanceof Loop l) {
      length = l.length().constant();
      Lane value = new Lane(0);
      body.add(new LaneAssign(value, l.op(), l.attrs(), l.args().stream().map(vector).toList()));
      body.add(new LaneWrite(acrossRows(l.target(), index), value));
    } else if (instr instanceof Move m) {
      length = m.length().constant();
      body.add(new LaneWrite(acrossRows(m.target(), index), vector.apply(m.source())));
    } else {
      Fused f = (Fused) instr;
      length = f.length().constant();
      for (LaneInstr li : f.body()) {
        if (li instanceof LaneAssign a) {
          body.add(new LaneAssign(a.target(), a.op(), a.attrs(), a.args().stream().map(lane).toList()));
        } else {
          LaneWrite w = (LaneWrite) li;
          body.add(new LaneWrite(acrossRows(w.target(), index), lane.apply(w.value())));
        }
      }
    }
    return new Repeat(Lin.of(length), false, index, before, List.of(new Fused(count, body)), List.of());
  }

  /**
   * A {@link VectorSum} across the block: for each element t, the accumulator's value goes into
   * the first cell of the value's row t (a sum's place, see {@link BatchedBody}), the row is
   * summed from 0.0 over that cell and the block's draws in draw order, and the total goes back:
   * {@code ((0.0 + acc) + v[0]) + v[1] ...}, the per-draw body's {@code (acc + v[0]) + v[1] ...}
   * bit for bit, as {@code 0.0 + acc == acc} for an accumulator, never -0.0 (see the class comment).
   */
  private Repeat vectorSumLoop(VectorSum v) {
    int cells = rowStart(rowCount++);
    int index = cells;
    Element in = new Element(Array.WORK, cells + 1);
    Element out = new Element(Array.WORK, cells + 2);
    Region row = new Region(Array.WORK, acrossRows(v.value(), index).offset().plus(-1));
    Temp total = new Temp(tempCount++);
    List<Instr> body = List.of(new Fused(Lin.of(1), List.of(new LaneWrite(row, new Invariant(in)))),
        new Fused(count.plus(1), List.of(new LaneSum(total, new At(row), false))), new Store(out, total));
    return new Repeat(Lin.of(v.length()), false, index,
        List.of(new Copy(v.accumulator(), new Region(Array.WORK, in.index()), 1, true)), body,
        List.of(new Copy(v.accumulator(), new Region(Array.WORK, out.index()), 1, false)));
  }

  /** Element t of a per-draw vector across the block: the draws of its row t, t read from the cell {@code index}. */
  private Region acrossRows(Region r, int index) {
    int offset = r.offset().constant();
    int row = r.array() == Array.EPS ? offset : dimension + offset - scratchStart;
    return new Region(Array.WORK, Lin.of(rowStart(row) + 1).plus(Lin.slot(index, rowStride)));
  }

  /**
   * One unit of scalar instructions as one loop over the block's draws: a value read only
   * inside the unit stays in a lane (a register), the others go to their rows. One instruction
   * alone is a plain {@link Loop} or {@link Move}.
   */
  private List<Instr> loopOverDraws(List<Instr> group) {
    if (group.isEmpty()) {
      return List.of();
    }
    if (group.size() == 1 && (!(group.get(0) instanceof Assign a) || rows.containsKey(a.target().id()))) {
      Instr instr = group.get(0);
      if (instr instanceof Assign a) {
        return List.of(new Loop(rowRegion(rowOf(a.target())), count, a.op(), a.attrs(),
            a.args().stream().map(this::blockOperand).toList()));
      }
      Store s = (Store) instr;
      return List.of(new Move(rowRegion(rowOf(s.target())), count, blockOperand(s.value())));
    }
    Map<Integer, Lane> lanes = new HashMap<>();
    List<LaneInstr> body = new ArrayList<>();
    for (Instr instr : group) {
      if (instr instanceof Assign a) {
        Lane lane = new Lane(lanes.size());
        body.add(new LaneAssign(lane, a.op(), a.attrs(), a.args().stream().map(o -> laneOperand(o, lanes)).toList()));
        lanes.put(a.target().id(), lane);
        if (rows.containsKey(a.target().id())) {
          body.add(new LaneWrite(rowRegion(rows.get(a.target().id())), lane));
        }
      } else {
        Store s = (Store) instr;
        body.add(new LaneWrite(rowRegion(rowOf(s.target())), laneOperand(s.value(), lanes)));
      }
    }
    return List.of(new Fused(count, body));
  }

  private LaneOperand laneOperand(Operand o, Map<Integer, Lane> lanes) {
    if (o instanceof Temp t && lanes.containsKey(t.id())) {
      return lanes.get(t.id());
    }
    return perDraw(o) ? new At(rowRegion(rowOf(o))) : new Invariant(o);
  }

  private Operand drawOperand(Operand o) {
    if (o instanceof Temp t && !rows.containsKey(t.id())) {
      return t;
    }
    return perDraw(o) ? drawElement(rowOf(o)) : o;
  }

  private Region drawRegion(Region r) {
    int offset = r.offset().constant();
    if (r.array() == Array.WORK && !isScratch(offset)) {
      return r;
    }
    int row = r.array() == Array.EPS ? offset : dimension + offset - scratchStart;
    return new Region(Array.DRAWS, Lin.of(rowStart(row) + 1), rowStride);
  }

  /** {@code instr} of a per-draw segment, its per-draw places read in the draw's rows. */
  private Instr drawInstr(Instr instr) {
    return Kernel.rewrite(instr, new Kernel.Places() {
      @Override
      public Region region(Region r) {
        return drawRegion(r);
      }

      @Override
      public Operand scalar(Operand o) {
        return drawOperand(o);
      }
    });
  }

  /**
   * The scalar accumulations of the block, in draw order: each accumulator's value goes into the
   * first element of its value's row, and the rows (that element and the block's draws) are
   * summed from 0.0, several in one loop.
   */
  private List<Instr> sumOverDraws(List<Sum> sums) {
    List<Instr> out = new ArrayList<>();
    Set<Integer> staged = new HashSet<>();
    List<int[]> staging = new ArrayList<>();
    for (Sum s : sums) {
      int row;
      if (perDraw(s.value()) && staged.add(rowOf(s.value()))) {
        row = rowOf(s.value());
      } else {
        // a value shared by two sums, or one for every draw: a row of its own
        row = rowCount++;
        staged.add(row);
        out.add(new Move(rowRegion(row), count, blockOperand(s.value())));
      }
      staging.add(new int[] {s.accumulator(), row});
    }
    for (int from = 0; from < staging.size(); from += SUMS_PER_LOOP) {
      List<int[]> group = staging.subList(from, Math.min(staging.size(), from + SUMS_PER_LOOP));
      List<LaneInstr> lanes = new ArrayList<>();
      List<Temp> totals = new ArrayList<>();
      for (int[] s : group) {
        out.add(new Store(new Element(Array.WORK, rowStart(s[1])), new Element(Array.WORK, s[0])));
        Temp total = new Temp(tempCount++);
        totals.add(total);
        lanes.add(new LaneSum(total, new At(new Region(Array.WORK, rowStart(s[1]))), false));
      }
      out.add(new Fused(count.plus(1), lanes));
      for (int k = 0; k < group.size(); k++) {
        out.add(new Store(new Element(Array.WORK, group.get(k)[0]), totals.get(k)));
      }
    }
    return out;
  }

  // ---- traversal ---------------------------------------------------------------------------

  /** Every element and region an instruction reads or writes. */
  private static List<Object> places(Instr instr) {
    List<Object> out = new ArrayList<>();
    Consumer<Operand> scalar = o -> {
      if (o instanceof Element e) {
        out.add(e);
      }
    };
    Consumer<VecOperand> vector = v -> {
      if (v instanceof Splat s) {
        scalar.accept(s.scalar());
      } else {
        out.add(v);
      }
    };
    Consumer<LaneOperand> lane = o -> {
      if (o instanceof Invariant inv) {
        scalar.accept(inv.scalar());
      } else if (o instanceof At at) {
        out.add(at.region());
      }
    };
    if (instr instanceof Assign a) {
      a.args().forEach(scalar);
    } else if (instr instanceof Loop l) {
      out.add(l.target());
      l.args().forEach(vector);
    } else if (instr instanceof Store s) {
      out.add(s.target());
      scalar.accept(s.value());
    } else if (instr instanceof Move m) {
      out.add(m.target());
      vector.accept(m.source());
    } else if (instr instanceof Reduce r) {
      out.add(r.source());
    } else if (instr instanceof Gather g) {
      out.addAll(List.of(g.target(), g.source(), g.index()));
    } else if (instr instanceof Scatter s) {
      out.addAll(List.of(s.target(), s.source(), s.index()));
    } else if (instr instanceof MatVec m) {
      out.addAll(List.of(m.target(), m.matrix(), m.vector()));
    } else if (instr instanceof Outer o) {
      out.addAll(List.of(o.target(), o.left(), o.right()));
    } else if (instr instanceof Place p) {
      out.addAll(List.of(p.target(), p.source()));
    } else if (instr instanceof Take t) {
      out.addAll(List.of(t.target(), t.source()));
    } else if (instr instanceof Scan sc) {
      out.addAll(List.of(sc.target(), sc.source()));
    } else if (instr instanceof Search se) {
      out.add(se.knots());
      scalar.accept(se.x());
    } else if (instr instanceof Pick pk) {
      out.add(pk.source());
      scalar.accept(pk.index());
    } else if (instr instanceof Put pt) {
      out.add(pt.target());
      scalar.accept(pt.value());
      scalar.accept(pt.index());
    } else if (instr instanceof Fused fused) {
      for (LaneInstr li : fused.body()) {
        if (li instanceof LaneAssign a) {
          a.args().forEach(lane);
        } else if (li instanceof LaneWrite w) {
          out.add(w.target());
          lane.accept(w.value());
        } else {
          lane.accept(((LaneSum) li).value());
        }
      }
    }
    return out;
  }

  /** The places an instruction writes, as regions (an element as a region of one). */
  private static List<Region> targets(Instr instr) {
    if (instr instanceof Loop l) {
      return List.of(l.target());
    } else if (instr instanceof Store s) {
      return List.of(new Region(s.target().array(), s.target().index()));
    } else if (instr instanceof Move m) {
      return List.of(m.target());
    } else if (instr instanceof Gather g) {
      return List.of(g.target());
    } else if (instr instanceof Scatter s) {
      return List.of(s.target());
    } else if (instr instanceof MatVec m) {
      return List.of(m.target());
    } else if (instr instanceof Outer o) {
      return List.of(o.target());
    } else if (instr instanceof Place p) {
      return List.of(p.target());
    } else if (instr instanceof Take t) {
      return List.of(t.target());
    } else if (instr instanceof Scan sc) {
      return List.of(sc.target());
    } else if (instr instanceof Put pt) {
      return List.of(pt.target());
    } else if (instr instanceof Fused f) {
      List<Region> out = new ArrayList<>();
      for (LaneInstr li : f.body()) {
        if (li instanceof LaneWrite w) {
          out.add(w.target());
        }
      }
      return out;
    }
    return List.of();
  }
}
