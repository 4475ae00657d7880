package io.flowc.compiler.kernel;

import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.Graphs;
import io.flowc.compiler.ir.IrEvaluator;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.ir.Op;
import io.flowc.compiler.ir.ScanBody;
import io.flowc.compiler.ir.Shape;
import io.flowc.compiler.kernel.Kernel.Array;
import io.flowc.compiler.kernel.Kernel.Assign;
import io.flowc.compiler.kernel.Kernel.Const;
import io.flowc.compiler.kernel.Kernel.Element;
import io.flowc.compiler.kernel.Kernel.Instr;
import io.flowc.compiler.kernel.Kernel.Loop;
import io.flowc.compiler.kernel.Kernel.Move;
import io.flowc.compiler.kernel.Kernel.Operand;
import io.flowc.compiler.kernel.Kernel.Reduce;
import io.flowc.compiler.kernel.Kernel.Region;
import io.flowc.compiler.kernel.Kernel.Return;
import io.flowc.compiler.kernel.Kernel.Splat;
import io.flowc.compiler.kernel.Kernel.Store;
import io.flowc.compiler.kernel.Kernel.Temp;
import io.flowc.compiler.kernel.Kernel.VecOperand;
import io.flowc.runtime.Sums;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Orders an {@link IrFunction}'s nodes (topological, by id, so deterministic) into a
 * {@link Kernel}: scalars become temporaries, vectors of up to {@link #SCALARIZE_LIMIT} elements
 * become one temporary per element, longer vectors become workspace regions written by loops.
 * Broadcasts, slices and inputs of long vectors are not copied: later loops read them in place.
 * Matrices are always regions (never scalarized), and the products, placements and scans of
 * neural flows become instructions of their own ({@link Kernel.MatVec} and the others), loops in
 * every backend; a scalarized vector they read is first copied to a region.
 * The evaluation order of every floating-point operation is the {@link io.flowc.compiler.ir.IrEvaluator}'s,
 * so kernels agree with it bit for bit.
 */
public final class Scheduler {
  /** Longest vector that is scalarized into straight-line code. */
  public static final int SCALARIZE_LIMIT = 16;

  /** What a node became: a scalar operand, scalarized elements, or a long vector. */
  private sealed interface Val permits Scalar, Small, Big {}

  private record Scalar(Operand operand) implements Val {}

  private record Small(Operand[] elements) implements Val {}

  private record Big(VecOperand vector, Lin length) implements Val {}

  private final IrFunction function;
  private final int scalarizeLimit;
  private final Map<Node, Placement> placements;
  private final List<Instr> body = new ArrayList<>();
  private Kernel.DynamicLayout dynamic;
  private Lin dynamicEnd = Lin.ZERO;
  private final Map<Node, Val> values = new HashMap<>();
  /** Values copied to a region for the instructions that need one, so that each is copied once. */
  private final Map<Node, Region> materialized = new HashMap<>();
  /** Inputs of a loop body read where they lie, at offsets that move with the slice index. */
  private final Map<Node, Region> inPlace = new HashMap<>();
  /** The saved rows of scans of run-time count, which lie apart from their values (their derivatives read them). */
  private final Map<Node, Region> savedRows = new HashMap<>();
  /** The saving scans whose saved carries a needed node reads (see {@link #readsSavedCarries}). */
  private final Set<Node> savedCarriesRead = new HashSet<>();
  /**
   * Scans whose whole value the kernel stores, slice by slice, to consecutive places of one array,
   * to the place of their first element: the scan is laid out there (see {@link #placeScansAtOutputs}).
   */
  private final Map<Node, Region> outputPlaces = new HashMap<>();
  /**
   * Per-iteration outputs that the outputs add whole into consecutive places of one array and
   * nothing else reads: the scan, its y-th output, and where its first element is added (see
   * {@link #addScanOutputsInLoops}); and the outputs whose additions the loops make.
   */
  private final Map<Node, Map<Integer, Region>> addedRows = new HashMap<>();
  private final Set<Output> addedInLoops = new HashSet<>();
  private int temps;
  private int workspace;

  private Scheduler(IrFunction function, int scalarizeLimit, Map<Node, Placement> placements) {
    this.function = function;
    this.scalarizeLimit = scalarizeLimit;
    this.placements = placements;
  }

  /** Where an input's value is read: its first element's place. */
  public record Placement(Kernel.Array array, int offset) {}

  /** What becomes of an output: returned (a scalar), stored, or added into an array. */
  public sealed interface Sink permits Returned, StoredAt, AddedTo {}

  public record Returned() implements Sink {}

  public record StoredAt(Kernel.Array array, Lin offset) implements Sink {
    public StoredAt(Kernel.Array array, int offset) {
      this(array, Lin.of(offset));
    }
  }

  public record AddedTo(Kernel.Array array, Lin offset) implements Sink {
    public AddedTo(Kernel.Array array, int offset) {
      this(array, Lin.of(offset));
    }
  }

  /** An output and what becomes of it. */
  public record Output(String name, Sink sink) {}

  /**
   * A kernel reading each input where {@code inputs} places it and sending each named output to
   * its sink, in order; a kernel that returns nothing returns 0.
   */
  public static Kernel schedule(IrFunction function, Map<Node, Placement> inputs, List<Output> outputs,
      int scalarizeLimit, int scratchStart) {
    return schedule(function, inputs, outputs, scalarizeLimit, scratchStart, null);
  }

  /**
   * As {@link #schedule(IrFunction, Map, List, int, int)}; values of data-dependent length get
   * scratch space where {@code dynamic} says (null: the function has none).
   */
  public static Kernel schedule(IrFunction function, Map<Node, Placement> inputs, List<Output> outputs,
      int scalarizeLimit, int scratchStart, Kernel.DynamicLayout dynamic) {
    Scheduler s = new Scheduler(function, scalarizeLimit, inputs);
    s.workspace = scratchStart;
    s.dynamic = dynamic;
    if (dynamic != null) {
      s.dynamicEnd = Lin.slot(dynamic.scratchSlot(), 1);
    }
    return s.run(outputs, scratchStart);
  }

  /**
   * A kernel returning output {@code value} (a scalar) and, for each input in order, storing
   * the output named in {@code gradients} into the gradient array at that input's offset
   * ({@code gradients} empty for a value-only kernel).
   */
  public static Kernel schedule(IrFunction function, String value, List<String> gradients) {
    return schedule(function, value, gradients, SCALARIZE_LIMIT);
  }

  /** As {@link #schedule(IrFunction, String, List)}, scalarizing vectors up to the given length only. */
  public static Kernel schedule(IrFunction function, String value, List<String> gradients, int scalarizeLimit) {
    return schedule(function, value, gradients, scalarizeLimit, 0);
  }

  /**
   * As {@link #schedule(IrFunction, String, List, int)}, with the workspace below
   * {@code scratchStart} left to others (a model's data region).
   */
  public static Kernel schedule(IrFunction function, String value, List<String> gradients, int scalarizeLimit,
      int scratchStart) {
    return schedule(function, value, gradients, scalarizeLimit, scratchStart, null);
  }

  /** As {@link #schedule(IrFunction, String, List, int, int)}, with data-dependent lengths placed as {@code dynamic} says. */
  public static Kernel schedule(IrFunction function, String value, List<String> gradients, int scalarizeLimit,
      int scratchStart, Kernel.DynamicLayout dynamic) {
    if (!gradients.isEmpty() && gradients.size() != function.inputs().size()) {
      throw new IllegalArgumentException("one gradient output per input expected");
    }
    Map<Node, Placement> inputs = new HashMap<>();
    for (Node input : function.inputs()) {
      inputs.put(input, new Placement(Array.Z, function.offsetOf(input)));
    }
    List<Output> outputs = new ArrayList<>();
    outputs.add(new Output(value, new Returned()));
    for (int k = 0; k < gradients.size(); k++) {
      outputs.add(new Output(gradients.get(k), new StoredAt(Array.GRAD, function.offsetOf(function.inputs().get(k)))));
    }
    return schedule(function, inputs, outputs, scalarizeLimit, scratchStart, dynamic);
  }

  private Kernel run(List<Output> outputs, int scratchStart) {
    Operand result = emit(outputs);
    body.add(new Return(result));
    return new Kernel(function.dimension(), workspace, scratchStart, temps, body, dynamic,
        dynamic == null ? Lin.ZERO : dynamicEnd);
  }

  /** Lowers the nodes the outputs need and sends each output to its sink; the returned operand (0 if none). */
  private Operand emit(List<Output> outputs) {
    List<Node> roots = outputs.stream().map(o -> function.output(o.name())).toList();
    placeScansAtOutputs(outputs);
    List<Node> needed = Graphs.reachable(function.graph(), roots);
    addScanOutputsInLoops(outputs, needed);
    for (Node n : needed) {
      for (Node arg : n.args()) {
        if (arg.op() == Op.SCAN && readsSavedCarries(n, arg)) {
          savedCarriesRead.add(arg);
        }
      }
    }
    for (Node n : needed) {
      values.put(n, lower(n));
    }
    Operand result = new Const(0);
    for (Output o : outputs) {
      Val v = values.get(function.output(o.name()));
      if (o.sink() instanceof StoredAt at) {
        storeTo(new Region(at.array(), at.offset()), v);
      } else if (o.sink() instanceof AddedTo to) {
        if (!addedInLoops.contains(o)) {
          addTo(to.array(), to.offset(), v);
        }
      } else {
        result = ((Scalar) v).operand();
      }
    }
    return result;
  }

  /**
   * Finds the scans whose value the outputs store whole, in slices that lie one after another in
   * one array (the workspace or the gradient) in the scan's own order: such a scan is laid out
   * where its outputs go, its rows written there as the loop runs, and the outputs' stores become
   * no-ops. W4's prologue hands its 100 stacked reflection vectors and their squared norms to the
   * body, and its epilogue its stacked gradient to grad, that way: two copies of 10,000 values a
   * step fewer. An output's place is written by nothing else in the kernel, so it may hold the
   * value early.
   */
  private void placeScansAtOutputs(List<Output> outputs) {
    Map<Node, List<int[]>> pieces = new HashMap<>();
    for (Output o : outputs) {
      ScanPiece p = o.sink() instanceof StoredAt ? scanPiece(o) : null;
      if (p != null) {
        pieces.computeIfAbsent(p.scan(), k -> new ArrayList<>()).add(p.slice());
      }
    }
    for (Map.Entry<Node, List<int[]>> e : pieces.entrySet()) {
      int size = e.getKey().shape().size();
      Region place = consecutive(e.getValue(), 0, size);
      if (place != null && !readsInputsAt(place.array(), place.offset().constant(), size)) {
        outputPlaces.put(e.getKey(), place);
      }
    }
  }

  /**
   * Finds the per-iteration outputs of scans that the outputs add, slice by slice, into places
   * lying one after another in one array, in the output's order, and that no other node reads:
   * the loop adds each row where it goes instead of writing it to the scan's value, which was
   * then added after the loop. W4's per-draw body adds a draw's stacked gradient with respect to
   * its 100 reflection vectors into the accumulators that way: 10,000 values a step not written
   * and read back. The additions are the same, one per element and draw.
   */
  private void addScanOutputsInLoops(List<Output> outputs, List<Node> needed) {
    // scan -> output -> its slice
    Map<Node, Map<Output, int[]>> added = new HashMap<>();
    Set<Node> chains = new HashSet<>();
    for (Output o : outputs) {
      ScanPiece p = o.sink() instanceof AddedTo ? scanPiece(o) : null;
      if (p != null && !p.chain().isEmpty()) {
        added.computeIfAbsent(p.scan(), k -> new HashMap<>()).put(o, p.slice());
        chains.addAll(p.chain());
      }
    }
    for (Map.Entry<Node, Map<Output, int[]>> e : added.entrySet()) {
      Node scan = e.getKey();
      ScanBody body = scan.scanBody();
      int count = scan.attr(0);
      List<int[]> reads = otherReads(scan, chains, needed);
      for (int y = 0; y < body.ys(); y++) {
        int from = body.yOffset(y, count);
        int length = count * body.yShape(y).size();
        if (!movesWithIndex(body.yShape(y), new Region(Array.WORK, 0))
            || reads.stream().anyMatch(r -> r[0] < from + length && from < r[1])) {
          continue;
        }
        List<int[]> slices = new ArrayList<>();
        List<Output> covering = new ArrayList<>();
        for (Map.Entry<Output, int[]> piece : e.getValue().entrySet()) {
          int[] slice = piece.getValue();
          if (slice[0] >= from && slice[0] + slice[1] <= from + length) {
            slices.add(slice);
            covering.add(piece.getKey());
          }
        }
        Region place = consecutive(slices, from, length);
        if (place != null) {
          addedRows.computeIfAbsent(scan, k -> new HashMap<>()).put(y, place);
          addedInLoops.addAll(covering);
        }
      }
    }
  }

  /**
   * An output that is a slice of a scan of fixed count (slices of slices included), going to a
   * place known when the kernel compiles: the scan, the SLICE nodes between them, and {@link #slice}.
   */
  private record ScanPiece(Node scan, List<Node> chain, int start, int length, Array array, int place) {
    /** Start and length in the scan's value, the array and where the slice goes in it. */
    int[] slice() {
      return new int[] {start, length, array.ordinal(), place};
    }
  }

  /** The output as a {@link ScanPiece}, or null. */
  private ScanPiece scanPiece(Output o) {
    Array array;
    Lin offset;
    if (o.sink() instanceof StoredAt at) {
      array = at.array();
      offset = at.offset();
    } else if (o.sink() instanceof AddedTo to) {
      array = to.array();
      offset = to.offset();
    } else {
      return null;
    }
    Node v = function.output(o.name());
    if (!offset.isConstant() || array == Array.Z || v.shape().isDynamic()) {
      return null;
    }
    Node scan = v;
    int start = 0;
    List<Node> chain = new ArrayList<>();
    while (scan.op() == Op.SLICE) {
      chain.add(scan);
      start += scan.attr(0);
      scan = scan.arg(0);
    }
    return scan.op() == Op.SCAN && !ScanBody.hasRunTimeCount(scan)
        ? new ScanPiece(scan, chain, start, v.shape().size(), array, offset.constant()) : null;
  }

  /**
   * Where element {@code from} of a value goes if the slices (start, length, array, place) cover
   * {@code [from, from + length)} in order, each at the same distance from its place in one
   * array; null otherwise.
   */
  private static Region consecutive(List<int[]> slices, int from, int length) {
    if (slices.isEmpty()) {
      return null;
    }
    slices.sort((a, b) -> Integer.compare(a[0], b[0]));
    int shift = slices.get(0)[3] - slices.get(0)[0];
    int array = slices.get(0)[2];
    int next = from;
    for (int[] slice : slices) {
      if (slice[0] != next || slice[3] - slice[0] != shift || slice[2] != array) {
        return null;
      }
      next = slice[0] + slice[1];
    }
    return next == from + length && shift + from >= 0 ? new Region(Array.values()[array], shift + from) : null;
  }

  /**
   * The ranges {@code [from, to)} of {@code scan}'s value that needed nodes other than the slices
   * leading to outputs read (a whole-value use reads all of it).
   */
  private static List<int[]> otherReads(Node scan, Set<Node> chains, List<Node> needed) {
    Map<Node, Integer> starts = new HashMap<>();
    starts.put(scan, 0);
    for (Node n : needed) {
      if (chains.contains(n) && starts.containsKey(n.arg(0))) {
        starts.put(n, starts.get(n.arg(0)) + n.attr(0));
      }
    }
    List<int[]> reads = new ArrayList<>();
    for (Node n : needed) {
      if (chains.contains(n)) {
        continue;
      }
      for (Node a : n.args()) {
        Integer at = starts.get(a);
        if (at == null) {
          continue;
        }
        int lo = at;
        int hi = at + a.shape().size();
        if (n.op() == Op.SLICE) {
          lo = at + n.attr(0);
          hi = lo + n.attr(1);
        } else if (n.op() == Op.INDEX) {
          lo = at + n.attr(0);
          hi = lo + 1;
        }
        reads.add(new int[] {lo, hi});
      }
    }
    return reads;
  }

  /** Whether an input of the kernel lies in {@code array[from .. from + length)} (a kernel updating in place). */
  private boolean readsInputsAt(Array array, int from, int length) {
    for (Map.Entry<Node, Placement> e : placements.entrySet()) {
      Placement p = e.getValue();
      if (p.array() == array && p.offset() < from + length && from < p.offset() + e.getKey().shape().size()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code user} reads the carries a saving scan keeps for its derivative: an index or a
   * slice reaching beyond the final carries and stacked outputs, or any other use of the whole
   * value. (A kernel that needs the scan but not its derivative, such as a flow's sampler, runs
   * it without saving them.)
   */
  private static boolean readsSavedCarries(Node user, Node scan) {
    if (scan.attr(2) == 0) {
      return false;
    }
    int savedStart = scan.scanBody().savedOffset(0, scan.attr(0));
    return switch (user.op()) {
      case INDEX -> user.attr(0) >= savedStart;
      case SLICE -> user.attr(0) + user.attr(1) > savedStart;
      default -> true;
    };
  }

  // ---- helpers ------------------------------------------------------------------------------

  private Temp temp() {
    return new Temp(temps++);
  }

  /**
   * {@code offset} rounded up to a multiple of {@link Sums#LANES}: where vectors of the workspace
   * start, so that a loop's regions are aligned alike, which HotSpot's superword pass needs to run
   * the loop in vectors (docs/performance.md, "Aligned vectors").
   */
  public static int aligned(int offset) {
    return (offset + Sums.LANES - 1) / Sums.LANES * Sums.LANES;
  }

  /**
   * Where a value of {@code length} elements goes, at {@code offset} or after: a vector at the next
   * {@link #aligned} place, a shorter value where it comes.
   */
  public static int placeFor(int offset, int length) {
    return length >= Sums.LANES ? aligned(offset) : offset;
  }

  /** Fixed-length values below the data-dependent ones, which lie beyond the data (see {@link Kernel.DynamicLayout}). */
  private Region allocate(Lin length) {
    if (!length.isConstant()) {
      Region r = new Region(Array.WORK, dynamicEnd);
      dynamicEnd = dynamicEnd.plus(length);
      return r;
    }
    workspace = placeFor(workspace, length.constant());
    Region r = new Region(Array.WORK, workspace);
    workspace += length.constant();
    return r;
  }

  /** The length of a vector as the kernel computes it: a constant, or its size read from the workspace. */
  private static Lin lengthOf(Shape shape) {
    return shape.isDynamic() ? Lin.slot(shape.sizeSlot(), 1) : Lin.of(shape.length());
  }

  /** Whether a vector of this shape becomes one temporary per element. */
  private boolean scalarized(Shape shape) {
    return !shape.isDynamic() && !shape.isMatrix() && shape.length() <= scalarizeLimit;
  }

  private Val val(Node n) {
    return values.get(n);
  }

  /** Element i of a value, whatever its form. */
  private static Operand element(Val v, int i) {
    if (v instanceof Scalar s) {
      return s.operand();
    } else if (v instanceof Small s) {
      return s.elements()[i];
    }
    VecOperand vec = ((Big) v).vector();
    return vec instanceof Splat sp ? sp.scalar() : ((Region) vec).element(i);
  }

  /** A loop operand for a long value. */
  private VecOperand vector(Val v, Lin length) {
    if (v instanceof Scalar s) {
      return new Splat(s.operand());
    } else if (v instanceof Big b) {
      return b.vector();
    }
    throw new IllegalStateException("a short vector in a loop of " + length);
  }

  private void storeTo(Region at, Val v) {
    if (v instanceof Big b && b.vector().equals(at)) {
      return; // already there (a scan laid out at its outputs)
    }
    if (v instanceof Scalar s) {
      body.add(new Store(at.element(0), s.operand()));
    } else if (v instanceof Small s) {
      for (int i = 0; i < s.elements().length; i++) {
        body.add(new Store(at.element(i), s.elements()[i]));
      }
    } else {
      Big b = (Big) v;
      body.add(new Move(at, b.length(), b.vector()));
    }
  }

  private void storeTo(Array array, int offset, Val v) {
    storeTo(new Region(array, offset), v);
  }

  /** array[offset + i] += v[i] (the offset known when the kernel compiles, but for a long value). */
  private void addTo(Array array, Lin offset, Val v) {
    if (v instanceof Big b) {
      Region target = new Region(array, offset);
      body.add(new Loop(target, b.length(), Op.ADD, new int[0], List.of(target, b.vector())));
      return;
    }
    int length = v instanceof Scalar ? 0 : ((Small) v).elements().length;
    for (int i = 0; i < Math.max(1, length); i++) {
      Element target = new Element(array, offset.constant() + i);
      Temp sum = temp();
      body.add(new Assign(sum, Op.ADD, new int[0], List.of(target, element(v, i))));
      body.add(new Store(target, sum));
    }
  }

  // ---- one node -----------------------------------------------------------------------------

  private Val lower(Node n) {
    switch (n.op()) {
      case CONST -> {
        return new Scalar(new Const(n.value()));
      }
      case INPUT, DATA -> {
        if (n.shape().isDynamic()) {
          // column attr 1 of a value whose offset the binding wrote into slot attr 0
          Lin offset = Lin.slot(n.attr(0), 1).plus(Lin.slot(n.shape().sizeSlot(), n.attr(1)));
          return new Big(new Region(Array.WORK, offset), lengthOf(n.shape()));
        }
        int length = n.shape().length();
        Region moving = inPlace.get(n);
        if (moving != null) {
          return new Big(moving, Lin.of(n.shape().size()));
        }
        // data lies at the start of the workspace, where a binding copied it (DataBinding)
        Placement place = n.op() == Op.DATA ? new Placement(Array.WORK, n.attr(0)) : placements.get(n);
        if (place == null) {
          throw new IllegalArgumentException("no placement for input " + n.name());
        }
        if (length == 0) {
          return new Scalar(new Element(place.array(), place.offset()));
        }
        if (scalarized(n.shape())) {
          Operand[] e = new Operand[length];
          for (int i = 0; i < length; i++) {
            e[i] = new Element(place.array(), place.offset() + i);
          }
          return new Small(e);
        }
        return new Big(new Region(place.array(), place.offset()), Lin.of(length));
      }
      case SUM, LOGSUMEXP -> {
        return reduce(n);
      }
      case INDEX -> {
        Val v = val(n.arg(0));
        if (v instanceof Big b && b.vector() instanceof Region r && !r.offset().isConstant()) {
          // an element of a free-size data vector, copied to a fixed place (the binding checked its size)
          Region at = allocate(Lin.of(1));
          body.add(new Move(at, Lin.of(1), r.plus(n.attr(0))));
          return new Scalar(at.element(0));
        }
        return new Scalar(element(v, n.attr(0)));
      }
      case SLICE -> {
        return slice(val(n.arg(0)), n.attr(0), n.attr(1));
      }
      case BROADCAST -> {
        Operand s = ((Scalar) val(n.arg(0))).operand();
        if (scalarized(n.shape())) {
          Operand[] e = new Operand[n.shape().length()];
          Arrays.fill(e, s);
          return new Small(e);
        }
        return new Big(new Splat(s), lengthOf(n.shape()));
      }
      case EMBED, CONCAT -> {
        return assemble(n);
      }
      case GATHER, SCATTER -> {
        return indexed(n);
      }
      case MATVEC, MATVECT -> {
        return matvec(n);
      }
      case OUTER -> {
        Shape m = n.shape();
        Region target = allocate(Lin.of(m.size()));
        body.add(new Kernel.Outer(target, regionOf(n.arg(0)), regionOf(n.arg(1)), m.rows(), m.cols()));
        return new Big(target, Lin.of(m.size()));
      }
      case PLACE -> {
        return place(n);
      }
      case CHOLESKY, CHOLESKY_ADJOINT, TRISOLVE, MATMUL, TRANSPOSE, LOG_ABS_DET, LOG_ABS_DET_ADJOINT -> {
        return dense(n);
      }
      case RESHAPE -> {
        return reshape(n);
      }
      case TAKE -> {
        return take(n);
      }
      case CUMSUM, REVCUMSUM -> {
        return scan(n);
      }
      case SEARCH -> {
        Temp t = temp();
        body.add(new Kernel.Search(t, regionOf(n.arg(0)), n.arg(0).shape().length(), scalar(n.arg(1))));
        return new Scalar(t);
      }
      case PICK -> {
        Temp t = temp();
        body.add(new Kernel.Pick(t, regionOf(n.arg(0)), n.arg(0).shape().length(), scalar(n.arg(1))));
        return new Scalar(t);
      }
      case SCAN -> {
        return ScanBody.hasRunTimeCount(n) ? repeatRunTime(n) : repeat(n);
      }
      case PUT -> {
        int length = n.attr(0);
        Region target = allocate(Lin.of(length));
        body.add(new Move(target, Lin.of(length), new Splat(new Const(0))));
        body.add(new Kernel.Put(target, length, scalar(n.arg(0)), scalar(n.arg(1))));
        return fromRegion(target, n.shape());
      }
      default -> {
        return elementwise(n);
      }
    }
  }

  private Val elementwise(Node n) {
    List<Val> args = n.args().stream().map(this::val).toList();
    int[] attrs = attrsOf(n);
    if (scalarized(n.shape())) {
      int length = n.shape().length();
      Operand[] out = new Operand[Math.max(1, length)];
      for (int i = 0; i < out.length; i++) {
        List<Operand> operands = new ArrayList<>();
        for (Val a : args) {
          operands.add(element(a, i));
        }
        Temp t = temp();
        body.add(new Assign(t, n.op(), attrs, operands));
        out[i] = t;
      }
      return length == 0 ? new Scalar(out[0]) : new Small(out);
    }
    Lin length = lengthOf(n.shape());
    Region target = allocate(length);
    body.add(new Loop(target, length, n.op(), attrs, args.stream().map(a -> vector(a, length)).toList()));
    return new Big(target, length);
  }

  private static int[] attrsOf(Node n) {
    int[] attrs = new int[n.attrCount()];
    for (int i = 0; i < attrs.length; i++) {
      attrs[i] = n.attr(i);
    }
    return attrs;
  }

  private Val reduce(Node n) {
    Val arg = val(n.arg(0));
    Lin length = lengthOf(n.arg(0).shape());
    boolean inLanes = n.op() == Op.SUM && !Graph.inOrder(n);
    if (n.op() == Op.SUM && arg instanceof Small s) {
      // the lanes of Sums, each from 0.0 in order, then (l0 + l1) + (l2 + l3): the evaluator's
      // rounding, bit for bit; up to three terms (or a sum in order) in one chain
      List<Operand> terms = List.of(s.elements());
      int lanes = inLanes && Sums.inLanes(terms.size()) ? Sums.LANES : 1;
      Operand[] lane = new Operand[lanes];
      for (int j = 0; j < lanes; j++) {
        lane[j] = new Const(0);
        for (int i = j; i < terms.size(); i += lanes) {
          lane[j] = add(lane[j], terms.get(i));
        }
      }
      return new Scalar(lanes == 1 ? lane[0] : add(add(lane[0], lane[1]), add(lane[2], lane[3])));
    }
    Region source;
    if (arg instanceof Big b && b.vector() instanceof Region r) {
      source = r;
    } else {
      source = allocate(length);
      storeTo(source, arg);
    }
    Temp t = temp();
    body.add(new Reduce(t, n.op(), source, length, inLanes));
    return new Scalar(t);
  }

  private Temp add(Operand a, Operand b) {
    Temp t = temp();
    body.add(new Assign(t, Op.ADD, new int[0], List.of(a, b)));
    return t;
  }

  private Val slice(Val v, int offset, int length) {
    if (length <= scalarizeLimit) {
      Operand[] e = new Operand[length];
      for (int i = 0; i < length; i++) {
        e[i] = element(v, offset + i);
      }
      return new Small(e);
    }
    VecOperand vec = ((Big) v).vector();
    return new Big(vec instanceof Region r ? r.plus(offset) : vec, Lin.of(length));
  }

  /**
   * GATHER and SCATTER: loops that address their source or target through a data region of
   * integers; operands are materialized as regions first (a scalarized vector has no address).
   */
  private Val indexed(Node n) {
    Node source = n.arg(0);
    Region from = region(val(source), sizeOf(source.shape()));
    Region index = region(val(n.arg(1)), sizeOf(n.arg(1).shape()));
    Lin length = sizeOf(n.shape());
    Region target = allocate(length);
    if (n.op() == Op.GATHER) {
      body.add(new Kernel.Gather(target, sizeOf(n.arg(1).shape()), from, source.shape().size(), index, n.attr(0)));
    } else {
      body.add(new Kernel.Scatter(target, n.shape().size(), from, index, sizeOf(source.shape()), n.attr(0)));
    }
    return n.shape().isScalar() ? new Scalar(target.element(0)) : new Big(target, length);
  }

  /** The number of doubles a value of this shape takes. */
  private static Lin sizeOf(Shape shape) {
    return shape.isDynamic() ? lengthOf(shape) : Lin.of(shape.size());
  }

  /** A value as a region of an array: where it lies already, or a copy in the workspace. */
  private Region region(Val v, Lin size) {
    if (v instanceof Big b && b.vector() instanceof Region r) {
      return r;
    }
    if (v instanceof Scalar s && s.operand() instanceof Element e) {
      return new Region(e.array(), e.index());
    }
    Region copy = allocate(size);
    storeTo(copy, v);
    return copy;
  }

  private Operand scalar(Node n) {
    return ((Scalar) val(n)).operand();
  }

  /**
   * A node's value as a region: where it lies (a scalarized vector whose elements lie side by
   * side in one array, such as an input's, is read in place), or copied once to the workspace.
   */
  private Region regionOf(Node n) {
    Region r = materialized.get(n);
    if (r == null) {
      Val v = val(n);
      r = v instanceof Small s ? contiguous(s.elements()) : null;
      if (r == null) {
        r = region(v, sizeOf(n.shape()));
      }
      materialized.put(n, r);
    }
    return r;
  }

  /** The region of elements that lie side by side in one array, or null. */
  private static Region contiguous(Operand[] elements) {
    if (!(elements[0] instanceof Element first)) {
      return null;
    }
    for (int i = 1; i < elements.length; i++) {
      if (!(elements[i] instanceof Element e) || e.array() != first.array() || e.index() != first.index() + i) {
        return null;
      }
    }
    return new Region(first.array(), first.index());
  }

  /** A value written to a region: its elements there, scalarized if the shape is, else the region. */
  private Val fromRegion(Region target, Shape shape) {
    if (shape.isScalar()) {
      return new Scalar(target.element(0));
    }
    if (scalarized(shape)) {
      Operand[] e = new Operand[shape.length()];
      for (int i = 0; i < e.length; i++) {
        e[i] = target.element(i);
      }
      return new Small(e);
    }
    return new Big(target, Lin.of(shape.size()));
  }

  /** A dense linear-algebra op as a call of its runtime routine ({@link Kernel.Dense}). */
  private Val dense(Node n) {
    Shape a = n.arg(0).shape();
    String routine;
    int[] ints;
    switch (n.op()) {
      case CHOLESKY -> {
        routine = "cholesky";
        ints = new int[] {a.rows()};
      }
      case CHOLESKY_ADJOINT -> {
        routine = "choleskyAdjoint";
        ints = new int[] {a.rows()};
      }
      case TRISOLVE -> {
        routine = "triangularSolve";
        ints = new int[] {a.rows(), n.attr(0)};
      }
      case MATMUL -> {
        routine = "multiply";
        int k = n.attr(0) == 0 ? a.cols() : a.rows();
        ints = new int[] {n.shape().rows(), k, n.shape().cols(), n.attr(0), n.attr(1)};
      }
      case LOG_ABS_DET -> {
        routine = "logAbsDeterminant";
        ints = new int[] {a.rows()};
      }
      case LOG_ABS_DET_ADJOINT -> {
        routine = "logAbsDeterminantAdjoint";
        ints = new int[] {a.rows()};
      }
      default -> {
        routine = "transpose";
        ints = new int[] {a.rows(), a.cols()};
      }
    }
    List<Region> args = new ArrayList<>();
    int[] lengths = new int[n.arity()];
    for (int k = 0; k < n.arity(); k++) {
      args.add(regionOf(n.arg(k)));
      lengths[k] = n.arg(k).shape().size();
    }
    int size = IrEvaluator.denseLength(n); // the value, then any scratch space the routine needs
    Region target = allocate(Lin.of(size));
    body.add(new Kernel.Dense(routine, target, size, args, lengths, ints));
    return fromRegion(target, n.shape());
  }

  private Val matvec(Node n) {
    Shape w = n.arg(0).shape();
    Region target = allocate(Lin.of(n.shape().size()));
    body.add(new Kernel.MatVec(target, regionOf(n.arg(0)), regionOf(n.arg(1)), w.rows(), w.cols(), n.op() == Op.MATVECT));
    return fromRegion(target, n.shape());
  }

  /** Most positions of one {@link Kernel.Place} or {@link Kernel.Take}: bounds the string constant holding them. */
  static final int POSITIONS_PER_TABLE = 8192;
  /** Positions of one table are relative to its first and below this: chars of a string, no surrogates. */
  static final int POSITION_SPAN = 0xD800;

  /**
   * Positions cut into tables of at most {@link #POSITIONS_PER_TABLE}, each spanning less than
   * {@link #POSITION_SPAN}: per table, its index of the first position and the first position.
   */
  private static List<int[]> tables(int[] positions) {
    List<int[]> starts = new ArrayList<>();
    int start = 0;
    for (int t = 1; t <= positions.length; t++) {
      if (t == positions.length || t - start == POSITIONS_PER_TABLE || positions[t] - positions[start] >= POSITION_SPAN) {
        starts.add(new int[] {start, t});
        start = t;
      }
    }
    return starts;
  }

  private static int[] relative(int[] positions, int from, int to) {
    int[] out = new int[to - from];
    for (int t = from; t < to; t++) {
      out[t - from] = positions[t] - positions[from];
    }
    return out;
  }

  /** PLACE: zeros, then the packed elements at their positions (scalarized where the result is). */
  private Val place(Node n) {
    int[] positions = Arrays.copyOfRange(attrsOf(n), 2, n.attrCount());
    Val packed = val(n.arg(0));
    if (scalarized(n.shape())) {
      Operand[] e = new Operand[n.shape().length()];
      Arrays.fill(e, new Const(0));
      for (int t = 0; t < positions.length; t++) {
        e[positions[t]] = element(packed, t);
      }
      return new Small(e);
    }
    Lin size = Lin.of(n.shape().size());
    Region target = allocate(size);
    body.add(new Move(target, size, new Splat(new Const(0))));
    Region source = regionOf(n.arg(0));
    for (int[] range : tables(positions)) {
      body.add(new Kernel.Place(target.plus(positions[range[0]]), source.plus(range[0]),
          relative(positions, range[0], range[1])));
    }
    return new Big(target, size);
  }

  /** RESHAPE: the same elements, so the same place (a short result reads them as elements). */
  private Val reshape(Node n) {
    if (scalarized(n.shape())) {
      Val v = atFixedPlace(val(n.arg(0)), n.shape().size());
      Operand[] e = new Operand[n.shape().length()];
      for (int i = 0; i < e.length; i++) {
        e[i] = element(v, i);
      }
      return new Small(e);
    }
    return new Big(regionOf(n.arg(0)), Lin.of(n.shape().size()));
  }

  /**
   * A long value at a place the kernel knows when it compiles: one that moves with a loop's
   * index (a slice in a scan's body) is copied to a place of its own, whose elements the
   * scalarized values then read.
   */
  private Val atFixedPlace(Val v, int size) {
    if (v instanceof Big b && b.vector() instanceof Region r && !r.offset().isConstant()) {
      Region at = allocate(Lin.of(size));
      body.add(new Move(at, Lin.of(size), r));
      return new Big(at, Lin.of(size));
    }
    return v;
  }

  /** TAKE: elements of a vector or matrix at positions (read in place where the result is scalarized). */
  private Val take(Node n) {
    int[] positions = attrsOf(n);
    Val dense = scalarized(n.shape()) ? atFixedPlace(val(n.arg(0)), n.arg(0).shape().size()) : val(n.arg(0));
    if (n.shape().isScalar()) {
      return new Scalar(element(dense, positions[0]));
    }
    if (scalarized(n.shape())) {
      Operand[] e = new Operand[positions.length];
      for (int t = 0; t < e.length; t++) {
        e[t] = element(dense, positions[t]);
      }
      return new Small(e);
    }
    Lin size = Lin.of(positions.length);
    Region target = allocate(size);
    Region source = regionOf(n.arg(0));
    for (int[] range : tables(positions)) {
      body.add(new Kernel.Take(target.plus(range[0]), source.plus(positions[range[0]]),
          relative(positions, range[0], range[1])));
    }
    return new Big(target, size);
  }

  /** CUMSUM and REVCUMSUM: a chain of additions when scalarized, else a {@link Kernel.Scan}. */
  private Val scan(Node n) {
    boolean reverse = n.op() == Op.REVCUMSUM;
    int length = n.shape().length();
    if (scalarized(n.shape())) {
      Val v = val(n.arg(0));
      Operand[] out = new Operand[length];
      for (int step = 0; step < length; step++) {
        int k = reverse ? length - 1 - step : step;
        if (step == 0) {
          out[k] = element(v, k);
        } else {
          Temp t = temp();
          body.add(new Assign(t, Op.ADD, new int[0], List.of(out[reverse ? k + 1 : k - 1], element(v, k))));
          out[k] = t;
        }
      }
      return new Small(out);
    }
    Region target = allocate(Lin.of(length));
    body.add(new Kernel.Scan(target, regionOf(n.arg(0)), length, reverse));
    return new Big(target, Lin.of(length));
  }

  /**
   * A scan body scheduled once as a function of the places its inputs lie in, its temporaries and
   * scratch space drawn from this kernel's (which grow by what it takes).
   */
  private List<Instr> scheduleBody(IrFunction body, Map<Node, Placement> places, Map<Node, Region> inPlace,
      List<Output> outputs) {
    Scheduler inner = new Scheduler(body, scalarizeLimit, places);
    inner.inPlace.putAll(inPlace);
    inner.temps = temps;
    inner.workspace = workspace;
    inner.emit(outputs);
    temps = inner.temps;
    workspace = inner.workspace;
    return new ArrayList<>(inner.body);
  }

  /**
   * A scan body's slice input of {@code size} elements from its stacked input: a long slice is read
   * where it lies, its offset moving with the slice index; a short one is copied into a frame of
   * its own before each iteration.
   */
  private void placeSlice(Node input, Region stacked, int size, int indexSlot, Map<Node, Placement> places,
      Map<Node, Region> inPlace, List<Kernel.Copy> before) {
    if (movesWithIndex(input.shape(), stacked)) {
      inPlace.put(input, atIndex(stacked, indexSlot, size));
      return;
    }
    Region frame = allocate(Lin.of(size));
    places.put(input, placement(frame));
    before.add(new Kernel.Copy(stacked, frame, size, true));
  }

  /** A scan body's constants are read where the scan's arguments lie. */
  private void placeConstants(Node n, ScanBody scan, IrFunction f, Map<Node, Placement> places) {
    for (int m = 0; m < scan.constants(); m++) {
      int k = scan.carries() + scan.xs() + m;
      places.put(f.inputs().get(k), placement(regionOf(n.arg(k))));
    }
  }

  /**
   * A SCAN as a {@link Kernel.Repeat}: the carries live in the result's final-carry places and
   * are updated there after each iteration; each stacked input's slice is copied into a frame
   * before the body, each per-iteration output copied from its frame after it; the body is
   * scheduled as a function of its own whose inputs are those places, its temporaries and
   * scratch space drawn from this kernel's.
   */
  private Val repeat(Node n) {
    ScanBody scan = n.scanBody();
    int count = n.attr(0);
    IrFunction f = scan.function();
    Region result = outputPlaces.containsKey(n) ? outputPlaces.get(n) : allocate(Lin.of(n.shape().size()));
    int indexSlot = allocate(Lin.of(1)).offset().constant();
    Map<Node, Placement> places = new HashMap<>();
    Map<Node, Region> inPlace = new HashMap<>();
    List<Kernel.Copy> before = new ArrayList<>();
    List<Kernel.Copy> after = new ArrayList<>();
    boolean reverse = n.attr(1) != 0;
    boolean save = savedCarriesRead.contains(n);
    Region[] leaving = new Region[scan.carries()];
    List<Instr> afterLoop = new ArrayList<>();
    for (int i = 0; i < scan.carries(); i++) {
      int size = scan.carryShape(i).size();
      Region carry = result.plus(scan.finalCarryOffset(i));
      if (movesWithIndex(scan.carryShape(i), result) && !(save && reverse)) {
        // a long carry lives in rows, iteration t reading one and writing the next: the saved
        // rows of the value (row count the final carry), or rows of its own
        Region rows = save ? result.plus(scan.savedOffset(i, count)) : allocate(Lin.of((count + 1) * size));
        Region first = reverse ? rows.plus(count * size) : rows;
        Region last = reverse ? rows : rows.plus(count * size);
        storeTo(first, val(n.arg(i)));
        inPlace.put(f.inputs().get(i), atIndex(reverse ? rows.plus(size) : rows, indexSlot, size));
        leaving[i] = atIndex(reverse ? rows : rows.plus(size), indexSlot, size);
        afterLoop.add(new Move(carry, Lin.of(size), last));
        continue;
      }
      storeTo(carry, val(n.arg(i)));
      places.put(f.inputs().get(i), placement(carry));
      if (save) {
        Region saved = result.plus(scan.savedOffset(i, count));
        before.add(new Kernel.Copy(saved, carry, size, false));
        afterLoop.add(new Move(saved.plus(count * size), Lin.of(size), carry));
      }
    }
    for (int j = 0; j < scan.xs(); j++) {
      int size = scan.xShape(j).size();
      placeSlice(f.inputs().get(scan.carries() + j), regionOf(n.arg(scan.carries() + j)), size, indexSlot, places, inPlace, before);
    }
    placeConstants(n, scan, f, places);
    List<Output> outputs = new ArrayList<>();
    List<IrFunction.Output> named = new ArrayList<>();
    Region[] next = new Region[f.outputs().size()];
    for (int k = 0; k < f.outputs().size(); k++) {
      Shape shape = f.outputs().get(k).node().shape();
      named.add(new IrFunction.Output("scan." + k, f.outputs().get(k).node()));
      if (k < scan.carries() && leaving[k] != null) {
        outputs.add(new Output("scan." + k, new StoredAt(leaving[k].array(), leaving[k].offset())));
        continue;
      }
      int y = k - scan.carries();
      Region addedTo = y >= 0 ? addedRows.getOrDefault(n, Map.of()).get(y) : null;
      if (addedTo != null) {
        // added where the outputs add it, row by row (addScanOutputsInLoops)
        Region row = atIndex(addedTo, indexSlot, shape.size());
        outputs.add(new Output("scan." + k, new AddedTo(row.array(), row.offset())));
        continue;
      }
      Region stacked = y >= 0 ? result.plus(scan.yOffset(y, count)) : null;
      if (stacked != null && movesWithIndex(shape, stacked)) {
        // a long per-iteration output is written in place
        Region row = atIndex(stacked, indexSlot, shape.size());
        outputs.add(new Output("scan." + k, new StoredAt(row.array(), row.offset())));
        continue;
      }
      if (k < scan.carries()) {
        outputs.add(null); // placed below, in the body's scratch
        continue;
      }
      next[k] = allocate(Lin.of(shape.size()));
      outputs.add(new Output("scan." + k, new StoredAt(next[k].array(), next[k].offset())));
    }
    int bodyScratch = workspace;
    // a carry's next value is read only by its move into the carry at the end of the body: as the
    // body's scratch, fusion keeps it in registers where that move joins the loop that computes it
    for (int k = 0; k < scan.carries(); k++) {
      if (outputs.get(k) == null) {
        next[k] = allocate(Lin.of(f.outputs().get(k).node().shape().size()));
        outputs.set(k, new Output("scan." + k, new StoredAt(next[k].array(), next[k].offset())));
      }
    }
    List<Instr> loopBody = scheduleBody(new IrFunction(f.graph(), f.inputs(), named), places, inPlace, outputs);
    for (int i = 0; i < scan.carries(); i++) {
      if (leaving[i] == null) {
        Lin size = Lin.of(scan.carryShape(i).size());
        loopBody.add(new Move(result.plus(scan.finalCarryOffset(i)), size, next[i]));
      }
    }
    // the body's own loops fused; the places above its scratch (carries, frames, outputs) stay written
    loopBody = new ArrayList<>(LoopFusion.fuse(new Kernel(0, workspace, bodyScratch, temps, loopBody,
        bodyLayout(indexSlot), Lin.of(workspace))).body());
    for (int j = 0; j < scan.ys(); j++) {
      if (next[scan.carries() + j] != null) {
        after.add(new Kernel.Copy(result.plus(scan.yOffset(j, count)), next[scan.carries() + j], scan.yShape(j).size(), false));
      }
    }
    body.add(new Kernel.Repeat(Lin.of(count), reverse, indexSlot, before, loopBody, after));
    body.addAll(afterLoop);
    return fromRegion(result, n.shape());
  }

  /**
   * A scan of run-time count ({@link ScanBody#hasRunTimeCount}) as a {@link Kernel.Repeat} whose
   * count is read from the workspace: its carries live at fixed places (its value) and are
   * updated there after each iteration; with {@code save}, each iteration first copies them to
   * its row of the saved rows, which lie in the data-dependent scratch space
   * ({@link Kernel.DynamicLayout}), as long as the count makes them; its stacked inputs are read
   * from where their arguments lie, at offsets that follow the count: a whole data vector, or
   * the saved rows of the forward scan it differentiates.
   */
  private Val repeatRunTime(Node n) {
    ScanBody scan = n.scanBody();
    IrFunction f = scan.function();
    int countSlot = ScanBody.countSlot(n);
    Lin count = Lin.slot(countSlot, 1).plus(n.attr(0));
    boolean reverse = n.attr(1) != 0;
    boolean save = savedCarriesRead.contains(n);
    int carrySize = scan.carrySize();
    Region value = allocate(Lin.of(carrySize));
    Region saved = save ? allocate(Lin.slot(countSlot, carrySize).plus((n.attr(0) + 1) * carrySize)) : null;
    int indexSlot = allocate(Lin.of(1)).offset().constant();
    Map<Node, Placement> places = new HashMap<>();
    Map<Node, Region> inPlace = new HashMap<>();
    List<Kernel.Copy> before = new ArrayList<>();
    List<Instr> afterLoop = new ArrayList<>();
    for (int i = 0; i < scan.carries(); i++) {
      int size = scan.carryShape(i).size();
      Region carry = value.plus(scan.finalCarryOffset(i));
      storeTo(carry, val(n.arg(i)));
      places.put(f.inputs().get(i), placement(carry));
      if (save) {
        // rows of carry i: count + 1 of them after those of the carries before it (ScanBody.savedOffset)
        Region rows = shifted(saved, Lin.slot(countSlot, scan.finalCarryOffset(i))
            .plus((n.attr(0) + 1) * scan.finalCarryOffset(i)));
        before.add(new Kernel.Copy(rows, carry, size, false));
        afterLoop.add(new Move(shifted(rows, Lin.slot(countSlot, size).plus(n.attr(0) * size)), Lin.of(size), carry));
      }
    }
    for (int j = 0; j < scan.xs(); j++) {
      int size = scan.xShape(j).size();
      Node arg = n.arg(scan.carries() + j);
      int b = n.attr(5 + 2 * j);
      Lin start = Lin.slot(countSlot, b).plus(n.attr(4 + 2 * j) + b * n.attr(0));
      Region stacked = arg.op() == Op.SCAN && ScanBody.hasRunTimeCount(arg)
          ? shifted(savedRows.get(arg), start.plus(-arg.scanBody().carrySize()))
          : shifted(regionOf(arg), start);
      placeSlice(f.inputs().get(scan.carries() + j), stacked, size, indexSlot, places, inPlace, before);
    }
    placeConstants(n, scan, f, places);
    List<Output> outputs = new ArrayList<>();
    List<IrFunction.Output> named = new ArrayList<>();
    Region[] next = new Region[scan.carries()];
    for (int k = 0; k < scan.carries(); k++) {
      named.add(new IrFunction.Output("scan." + k, f.outputs().get(k).node()));
      next[k] = allocate(Lin.of(scan.carryShape(k).size()));
      outputs.add(new Output("scan." + k, new StoredAt(next[k].array(), next[k].offset())));
    }
    int bodyScratch = workspace;
    List<Instr> loopBody = scheduleBody(new IrFunction(f.graph(), f.inputs(), named), places, inPlace, outputs);
    for (int i = 0; i < scan.carries(); i++) {
      loopBody.add(new Move(value.plus(scan.finalCarryOffset(i)), Lin.of(scan.carryShape(i).size()), next[i]));
    }
    loopBody = new ArrayList<>(LoopFusion.fuse(new Kernel(0, workspace, bodyScratch, temps, loopBody,
        bodyLayout(indexSlot), Lin.of(workspace))).body());
    body.add(new Kernel.Repeat(count, reverse, indexSlot, before, loopBody, List.of()));
    body.addAll(afterLoop);
    if (save) {
      savedRows.put(n, saved);
    }
    return fromRegion(value, n.shape());
  }

  /** A region {@code by} further on. */
  private static Region shifted(Region r, Lin by) {
    return new Region(r.array(), r.offset().plus(by), r.stride());
  }

  /** Whether a slice of this shape in this stacked region is a long value read or written in place. */
  private boolean movesWithIndex(Shape slice, Region stacked) {
    return !slice.isScalar() && !scalarized(slice) && stacked.stride() == 1;
  }

  /** Row t of a stacked region of rows of {@code size}, t the value of {@code indexSlot}. */
  private static Region atIndex(Region stacked, int indexSlot, int size) {
    return new Region(stacked.array(), stacked.offset().plus(Lin.slot(indexSlot, size)));
  }

  /** The sample binding of the loop body's offsets: the outer kernel's, with the slice index at 0. */
  private Kernel.DynamicLayout bodyLayout(int indexSlot) {
    Map<Integer, Integer> sample = new HashMap<>(dynamic == null ? Map.of() : dynamic.sample());
    sample.put(indexSlot, 0);
    return new Kernel.DynamicLayout(dynamic == null ? indexSlot : dynamic.scratchSlot(), sample);
  }

  private static Placement placement(Region r) {
    if (!r.offset().isConstant() || r.stride() != 1) {
      throw new IllegalStateException("a scan reads a value of data-dependent place " + r);
    }
    return new Placement(r.array(), r.offset().constant());
  }

  /**
   * The region of the point z that long pieces lying one after another there make up, or null:
   * concatenated in the order they lie (repeated flows' parameters, docs/internals.md), they are
   * read where they are instead of copied. Only the point qualifies: it is never written, so a
   * view of it stays what the copy would have held.
   */
  private static Region contiguousInputs(List<Val> pieces) {
    Region first = null;
    int next = 0;
    for (Val piece : pieces) {
      if (!(piece instanceof Big b) || !(b.vector() instanceof Region r) || r.array() != Array.Z
          || r.stride() != 1 || !r.offset().isConstant() || !b.length().isConstant()) {
        return null;
      }
      if (first == null) {
        first = r;
      } else if (r.offset().constant() != next) {
        return null;
      }
      next = r.offset().constant() + b.length().constant();
    }
    return first;
  }

  /** EMBED and CONCAT: a vector built from pieces (zeros around an embedded piece). */
  private Val assemble(Node n) {
    int length = n.shape().length();
    List<Val> pieces = new ArrayList<>();
    List<Integer> offsets = new ArrayList<>();
    if (n.op() == Op.EMBED) {
      pieces.add(val(n.arg(0)));
      offsets.add(n.attr(0));
    } else {
      int offset = 0;
      for (Node a : n.args()) {
        pieces.add(val(a));
        offsets.add(offset);
        offset += a.shape().size();
      }
    }
    if (n.op() == Op.CONCAT && length > scalarizeLimit) {
      Region view = contiguousInputs(pieces);
      if (view != null) {
        return new Big(view, Lin.of(length));
      }
    }
    if (length <= scalarizeLimit) {
      Operand[] e = new Operand[length];
      Arrays.fill(e, new Const(0));
      for (int k = 0; k < pieces.size(); k++) {
        Val piece = pieces.get(k);
        int size = piece instanceof Small s ? s.elements().length : piece instanceof Big b ? b.length().constant() : 1;
        for (int i = 0; i < size; i++) {
          e[offsets.get(k) + i] = element(piece, i);
        }
      }
      return new Small(e);
    }
    Region target = allocate(Lin.of(length));
    if (n.op() == Op.EMBED) {
      body.add(new Move(target, Lin.of(length), new Splat(new Const(0))));
    }
    for (int k = 0; k < pieces.size(); k++) {
      storeTo(target.plus(offsets.get(k)), pieces.get(k));
    }
    return new Big(target, Lin.of(length));
  }
}
