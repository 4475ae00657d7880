package io.flowc.compiler.kernel;

import io.flowc.compiler.ir.Op;
import io.flowc.runtime.Sums;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The IR scheduled for code generation: an ordered list of instructions over doubles that the
 * backends (Java source, bytecode, and {@link KernelInterpreter} for tests) translate one to one.
 *
 * <p>Values live in three kinds of place: scalar temporaries ({@link Temp}, locals in generated
 * code), elements of the arrays a kernel method receives ({@link Element}: the point z, the
 * gradient, the workspace), and constants. Vectors up to {@link Scheduler#SCALARIZE_LIMIT}
 * elements are scalarized (one temporary per element); longer ones are regions of an array, and
 * their elementwise ops become loops.
 *
 * <p>The workspace from {@code scratchStart} on holds this kernel's own temporaries; below it lie
 * values other kernels of the same class read or write (a flow's prologue values, accumulators).
 */
public record Kernel(int dimension, int workspaceSize, int scratchStart, int tempCount, List<Instr> body,
    DynamicLayout dynamic, Lin workspaceEnd) {

  public Kernel {
    body = List.copyOf(body);
  }

  /** A kernel of fixed-length values only. */
  public Kernel(int dimension, int workspaceSize, int scratchStart, int tempCount, List<Instr> body) {
    this(dimension, workspaceSize, scratchStart, tempCount, body, null, Lin.of(workspaceSize));
  }

  /** The same kernel with another body (same temporaries, workspace and layout). */
  public Kernel withBody(List<Instr> newBody) {
    return new Kernel(dimension, workspaceSize, scratchStart, tempCount, newBody, dynamic, workspaceEnd);
  }

  /**
   * Where a kernel's values of data-dependent length lie: its scratch space for them starts at
   * the offset the workspace holds at {@code scratchSlot}; {@code sample} gives every slot a
   * kernel reads a value of one consistent binding (sizes, and the offsets a binding would choose
   * for them), on which offsets compare as they do for every binding: loop fusion's overlap
   * analysis runs there.
   */
  public record DynamicLayout(int scratchSlot, Map<Integer, Integer> sample) {
    public DynamicLayout {
      sample = Map.copyOf(sample);
    }

    /** The value of {@code l} in the sample binding. */
    public int probe(Lin l) {
      int v = l.constantTerm();
      int[] slots = l.slots();
      for (int k = 0; k < slots.length; k++) {
        Integer value = sample.get(slots[k]);
        if (value == null) {
          throw new IllegalStateException("no sample value for slot " + slots[k]);
        }
        v += l.coefficient(k) * value;
      }
      return v;
    }
  }

  /** The workspace slots the offsets and lengths of {@code body} read (loaded once at method entry). */
  /**
   * Whether a sum in lanes over {@code length} terms keeps four lanes: always for a length read
   * at run time; up to three terms one chain rounds the same ({@link Sums}).
   */
  public static boolean sumsInLanes(Lin length) {
    return !length.isConstant() || Sums.inLanes(length.constant());
  }

  public static SortedSet<Integer> slotsRead(List<Instr> body) {
    SortedSet<Integer> out = new TreeSet<>();
    for (Lin l : linsRead(body)) {
      for (int slot : l.slots()) {
        out.add(slot);
      }
    }
    return out;
  }

  /**
   * The array elements a loop (a {@link Loop} or a {@link Fused} one) reads as one value for
   * every i, in order of first use; none for other instructions.
   */
  public static Set<Element> invariantsRead(Instr instr) {
    Set<Element> out = new LinkedHashSet<>();
    if (instr instanceof Loop l) {
      for (VecOperand v : l.args()) {
        if (v instanceof Splat s && s.scalar() instanceof Element e) {
          out.add(e);
        }
      }
    } else if (instr instanceof Fused f) {
      for (LaneInstr li : f.body()) {
        List<LaneOperand> operands = li instanceof LaneAssign a ? a.args()
            : List.of(li instanceof LaneWrite w ? w.value() : ((LaneSum) li).value());
        for (LaneOperand o : operands) {
          if (o instanceof Invariant inv && inv.scalar() instanceof Element e) {
            out.add(e);
          }
        }
      }
    }
    return out;
  }

  /** The temporaries an instruction assigns. */
  public static List<Temp> tempsWritten(Instr instr) {
    if (instr instanceof Assign a) {
      return List.of(a.target());
    } else if (instr instanceof Reduce r) {
      return List.of(r.target());
    } else if (instr instanceof Search s) {
      return List.of(s.target());
    } else if (instr instanceof Pick p) {
      return List.of(p.target());
    } else if (instr instanceof Fused f) {
      List<Temp> out = new ArrayList<>();
      for (LaneInstr li : f.body()) {
        if (li instanceof LaneSum sum) {
          out.add(sum.accumulator());
        }
      }
      return out;
    }
    return List.of();
  }

  /** The temporaries an instruction reads, in the order of its operands. */
  public static List<Temp> tempsRead(Instr instr) {
    List<Temp> out = new ArrayList<>();
    for (Operand o : scalarsRead(instr)) {
      if (o instanceof Temp t) {
        out.add(t);
      }
    }
    return out;
  }

  /**
   * The scalar operands an instruction reads (temporaries, constants, elements), in the order of
   * its operands: a loop's splats and a fused loop's invariants included.
   */
  public static List<Operand> scalarsRead(Instr instr) {
    List<Operand> out = new ArrayList<>();
    Consumer<Operand> scalar = out::add;
    Consumer<VecOperand> vector = v -> {
      if (v instanceof Splat s) {
        scalar.accept(s.scalar());
      }
    };
    Consumer<LaneOperand> lane = o -> {
      if (o instanceof Invariant inv) {
        scalar.accept(inv.scalar());
      }
    };
    if (instr instanceof Assign a) {
      a.args().forEach(scalar);
    } else if (instr instanceof Loop l) {
      l.args().forEach(vector);
    } else if (instr instanceof Store s) {
      scalar.accept(s.value());
    } else if (instr instanceof Move m) {
      vector.accept(m.source());
    } else if (instr instanceof Return r) {
      scalar.accept(r.value());
    } else if (instr instanceof Search s) {
      scalar.accept(s.x());
    } else if (instr instanceof Pick p) {
      scalar.accept(p.index());
    } else if (instr instanceof Put p) {
      scalar.accept(p.value());
      scalar.accept(p.index());
    } else if (instr instanceof Fused fused) {
      for (LaneInstr li : fused.body()) {
        if (li instanceof LaneAssign a) {
          a.args().forEach(lane);
        } else if (li instanceof LaneWrite w) {
          lane.accept(w.value());
        } else {
          lane.accept(((LaneSum) li).value());
        }
      }
    }
    return out;
  }

  /**
   * How {@link #rewrite} changes the places an instruction reads and writes: its regions, the
   * scalar operands it reads (not the temporaries it assigns), and its lengths and counts. Each
   * defaults to leaving them as they are.
   */
  public interface Places {
    default Region region(Region r) {
      return r;
    }

    default Operand scalar(Operand o) {
      return o;
    }

    default Lin lin(Lin l) {
      return l;
    }
  }

  /**
   * {@code instr} with its places changed as {@code places} says, in a loop's body too: the one
   * walk that rebuilds every kind of instruction, for passes that move an instruction's places
   * (a batched body's rows, a kernel bound to one binding's sizes).
   */
  public static Instr rewrite(Instr instr, Places places) {
    if (instr instanceof Assign a) {
      return new Assign(a.target(), a.op(), a.attrs(), a.args().stream().map(places::scalar).toList());
    } else if (instr instanceof Store st) {
      return new Store(st.target(), places.scalar(st.value()));
    } else if (instr instanceof Return r) {
      return new Return(places.scalar(r.value()));
    } else if (instr instanceof Loop l) {
      return new Loop(region(l.target(), places), places.lin(l.length()), l.op(), l.attrs(),
          l.args().stream().map(v -> vector(v, places)).toList());
    } else if (instr instanceof Reduce r) {
      return new Reduce(r.target(), r.op(), region(r.source(), places), places.lin(r.length()), r.inLanes());
    } else if (instr instanceof Move m) {
      return new Move(region(m.target(), places), places.lin(m.length()), vector(m.source(), places));
    } else if (instr instanceof Fused f) {
      List<LaneInstr> body = new ArrayList<>();
      for (LaneInstr li : f.body()) {
        if (li instanceof LaneAssign a) {
          body.add(new LaneAssign(a.target(), a.op(), a.attrs(), a.args().stream().map(o -> lane(o, places)).toList()));
        } else if (li instanceof LaneWrite w) {
          body.add(new LaneWrite(region(w.target(), places), lane(w.value(), places)));
        } else {
          LaneSum sum = (LaneSum) li;
          body.add(new LaneSum(sum.accumulator(), lane(sum.value(), places), sum.inLanes()));
        }
      }
      return new Fused(places.lin(f.length()), body);
    } else if (instr instanceof Gather g) {
      return new Gather(region(g.target(), places), places.lin(g.length()), region(g.source(), places),
          g.sourceLength(), region(g.index(), places), g.shift());
    } else if (instr instanceof Scatter sc) {
      return new Scatter(region(sc.target(), places), sc.targetLength(), region(sc.source(), places),
          region(sc.index(), places), places.lin(sc.length()), sc.shift());
    } else if (instr instanceof MatVec m) {
      return new MatVec(region(m.target(), places), region(m.matrix(), places), region(m.vector(), places), m.rows(),
          m.cols(), m.transposed());
    } else if (instr instanceof BlockMatVec m) {
      return new BlockMatVec(region(m.target(), places), region(m.matrix(), places), region(m.vector(), places),
          m.rows(), m.cols(), m.transposed(), places.lin(m.count()));
    } else if (instr instanceof BlockOuterSum o) {
      return new BlockOuterSum(region(o.accumulator(), places), region(o.left(), places), region(o.right(), places),
          region(o.mask(), places), o.rows(), o.cols(), places.lin(o.count()));
    } else if (instr instanceof Outer o) {
      return new Outer(region(o.target(), places), region(o.left(), places), region(o.right(), places), o.rows(),
          o.cols());
    } else if (instr instanceof Place p) {
      return new Place(region(p.target(), places), region(p.source(), places), p.positions());
    } else if (instr instanceof Take t) {
      return new Take(region(t.target(), places), region(t.source(), places), t.positions());
    } else if (instr instanceof Scan sc) {
      return new Scan(region(sc.target(), places), region(sc.source(), places), sc.length(), sc.reverse());
    } else if (instr instanceof Search se) {
      return new Search(se.target(), region(se.knots(), places), se.count(), places.scalar(se.x()));
    } else if (instr instanceof Pick pk) {
      return new Pick(pk.target(), region(pk.source(), places), pk.length(), places.scalar(pk.index()));
    } else if (instr instanceof Put pt) {
      return new Put(region(pt.target(), places), pt.length(), places.scalar(pt.value()), places.scalar(pt.index()));
    } else if (instr instanceof Dense d) {
      return new Dense(d.routine(), region(d.target(), places), d.targetLength(),
          d.args().stream().map(r -> region(r, places)).toList(), d.argLengths(), d.ints());
    } else if (instr instanceof Repeat rp) {
      return new Repeat(places.lin(rp.count()), rp.reverse(), rp.indexSlot(),
          rp.before().stream().map(c -> copy(c, places)).toList(), rewrite(rp.body(), places),
          rp.after().stream().map(c -> copy(c, places)).toList());
    }
    return new Call(rewrite(((Call) instr).body(), places));
  }

  /** Each instruction of {@code body} rewritten ({@link #rewrite(Instr, Places)}). */
  public static List<Instr> rewrite(List<Instr> body, Places places) {
    return body.stream().map(i -> rewrite(i, places)).toList();
  }

  private static Region region(Region r, Places places) {
    return r == null ? null : places.region(r);
  }

  private static VecOperand vector(VecOperand v, Places places) {
    return v instanceof Splat s ? new Splat(places.scalar(s.scalar())) : places.region((Region) v);
  }

  private static LaneOperand lane(LaneOperand o, Places places) {
    if (o instanceof At at) {
      return new At(places.region(at.region()));
    } else if (o instanceof Invariant inv) {
      return new Invariant(places.scalar(inv.scalar()));
    }
    return o;
  }

  private static Copy copy(Copy c, Places places) {
    return new Copy(places.region(c.stacked()), places.region(c.frame()), c.size(), c.intoFrame());
  }

  /** The offsets and lengths of {@code body} known at run time only, in order of first use. */
  public static Set<Lin> linsRead(List<Instr> body) {
    Set<Lin> out = new LinkedHashSet<>();
    Consumer<Lin> add = l -> {
      if (!l.isConstant()) {
        out.add(l);
      }
    };
    Consumer<Object> region = v -> {
      if (v instanceof Region r) {
        add.accept(r.offset());
      }
    };
    for (Instr instr : body) {
      if (instr instanceof Loop l) {
        add.accept(l.length());
        region.accept(l.target());
        l.args().forEach(region);
      } else if (instr instanceof Reduce r) {
        add.accept(r.length());
        region.accept(r.source());
      } else if (instr instanceof Move m) {
        add.accept(m.length());
        region.accept(m.target());
        region.accept(m.source());
      } else if (instr instanceof Gather g) {
        add.accept(g.length());
        region.accept(g.target());
        region.accept(g.source());
        region.accept(g.index());
      } else if (instr instanceof Scatter sc) {
        add.accept(sc.length());
        region.accept(sc.target());
        region.accept(sc.source());
        region.accept(sc.index());
      } else if (instr instanceof MatVec mv) {
        List.of(mv.target(), mv.matrix(), mv.vector()).forEach(region);
      } else if (instr instanceof BlockMatVec bm) {
        add.accept(bm.count());
        List.of(bm.target(), bm.matrix(), bm.vector()).forEach(region);
      } else if (instr instanceof BlockOuterSum os) {
        add.accept(os.count());
        List.of(os.accumulator(), os.left(), os.right()).forEach(region);
        if (os.mask() != null) {
          region.accept(os.mask());
        }
      } else if (instr instanceof Outer o) {
        List.of(o.target(), o.left(), o.right()).forEach(region);
      } else if (instr instanceof Dense d) {
        region.accept(d.target());
        d.args().forEach(region);
      } else if (instr instanceof Place pl) {
        List.of(pl.target(), pl.source()).forEach(region);
      } else if (instr instanceof Take tk) {
        List.of(tk.target(), tk.source()).forEach(region);
      } else if (instr instanceof Scan sc) {
        List.of(sc.target(), sc.source()).forEach(region);
      } else if (instr instanceof Repeat rp) {
        add.accept(rp.count());
        for (Copy c : rp.before()) {
          List.of(c.stacked(), c.frame()).forEach(region);
        }
        out.addAll(linsRead(rp.body()));
        for (Copy c : rp.after()) {
          List.of(c.stacked(), c.frame()).forEach(region);
        }
      } else if (instr instanceof Call call) {
        out.addAll(linsRead(call.body()));
      } else if (instr instanceof Search se) {
        region.accept(se.knots());
      } else if (instr instanceof Pick pk) {
        region.accept(pk.source());
      } else if (instr instanceof Put pt) {
        region.accept(pt.target());
      } else if (instr instanceof Fused f) {
        add.accept(f.length());
        for (LaneInstr li : f.body()) {
          if (li instanceof LaneWrite w) {
            region.accept(w.target());
            if (w.value() instanceof At at) {
              region.accept(at.region());
            }
          } else if (li instanceof LaneAssign a) {
            a.args().forEach(o -> {
              if (o instanceof At at) {
                region.accept(at.region());
              }
            });
          } else if (((LaneSum) li).value() instanceof At at) {
            region.accept(at.region());
          }
        }
      }
    }
    return out;
  }

  /** The value of {@code l} for comparing offsets (its constant in a kernel without dynamic values). */
  public int probe(Lin l) {
    return dynamic == null ? l.constant() : dynamic.probe(l);
  }

  /** The arrays a kernel reads and writes. */
  public enum Array {
    /** The point, read-only. */
    Z,
    /** The gradient output. */
    GRAD,
    /** Caller-owned scratch space. */
    WORK,
    /** One row of base draws: element j is {@code eps[base + j]}, base a method argument. */
    EPS,
    /**
     * The workspace seen from one draw of a block ({@link BatchedBody}): element j is
     * {@code w[base + j]}, base the draw's index in the block.
     */
    DRAWS;

    /** Whether indices into this array count from the method's base argument. */
    public boolean fromBase() {
      return this == EPS || this == DRAWS;
    }
  }

  /** A scalar operand. */
  public sealed interface Operand permits Temp, Const, Element {}

  public record Temp(int id) implements Operand {}

  public record Const(double value) implements Operand {}

  public record Element(Array array, int index) implements Operand {}

  /** An operand of a loop: element i of a region, or one scalar for every i. */
  public sealed interface VecOperand permits Region, Splat {}

  /**
   * Elements of an array from {@code offset} on, {@code stride} apart: element i is
   * {@code array[offset + i * stride]} (stride 1 but in batch-major bodies, where one draw's
   * vector lies across the block's rows, see {@link BatchedBody}).
   */
  public record Region(Array array, Lin offset, int stride) implements VecOperand {
    public Region {
      if (stride < 1) {
        throw new IllegalArgumentException("stride " + stride);
      }
    }

    public Region(Array array, Lin offset) {
      this(array, offset, 1);
    }

    public Region(Array array, int offset) {
      this(array, Lin.of(offset));
    }

    /** The region {@code k} elements further. */
    public Region plus(int k) {
      return new Region(array, offset.plus(k * stride), stride);
    }

    /** The element {@code i} of a region at a fixed offset. */
    public Element element(int i) {
      return new Element(array, offset.constant() + i * stride);
    }
  }

  public record Splat(Operand scalar) implements VecOperand {}

  /** One step of a kernel. */
  public sealed interface Instr permits Assign, Loop, Reduce, Store, Move, Return, Fused, Gather, Scatter,
      MatVec, Outer, Place, Take, Scan, Search, Pick, Put, BlockMatVec, BlockOuterSum, Repeat, Call, Dense {}

  /**
   * The loop of an {@link io.flowc.compiler.ir.Op#SCAN}: {@code count} iterations of {@code body}
   * (a constant, or read from the workspace for a scan of run-time count)
   * (t ascending, or descending if {@code reverse}); in iteration t, {@code w[indexSlot] = t},
   * then the {@code before} copies run, then the body, then the {@code after} copies. The body
   * reads and writes arrays only: its temporaries are its own, assigned before they are read in
   * every iteration, and no temporary of the enclosing kernel is read inside it, so a backend may
   * put the whole loop in a method of its own. Regions of the body whose offsets read
   * {@code indexSlot} move with t: long slices are read, and long outputs written, in place.
   */
  public record Repeat(Lin count, boolean reverse, int indexSlot, List<Copy> before, List<Instr> body, List<Copy> after)
      implements Instr {
    public Repeat {
      before = List.copyOf(before);
      body = List.copyOf(body);
      after = List.copyOf(after);
    }

    /** The index of the slice iteration {@code step} (0 first) of {@code count} works on. */
    public int slice(int step, int count) {
      return reverse ? count - 1 - step : step;
    }
  }

  /**
   * Instructions run in a method of their own ({@link KernelSplitter} cuts a loop body too large
   * for one method into these): like a {@link Repeat}'s body they read and write arrays only.
   */
  public record Call(List<Instr> body) implements Instr {
    public Call {
      body = List.copyOf(body);
    }
  }

  /**
   * One slice of a stacked value and its frame, {@code size} elements: in iteration t,
   * {@code frame[i] = stacked[t * size + i]} if {@code intoFrame}, else the other way round.
   */
  public record Copy(Region stacked, Region frame, int size, boolean intoFrame) {}

  /** {@code t = op(args)} on scalars ({@code attrs}: the op's integer attributes). */
  public record Assign(Temp target, Op op, int[] attrs, List<Operand> args) implements Instr {
    public Assign {
      args = List.copyOf(args);
    }
  }

  /** {@code for i < length: target[i] = op(args[i])}. */
  public record Loop(Region target, Lin length, Op op, int[] attrs, List<VecOperand> args) implements Instr {
    public Loop {
      args = List.copyOf(args);
    }
  }

  /**
   * {@code t = op(source[0 .. length))} for a reduction op (SUM, LOGSUMEXP); SUM adds in the order
   * of {@link Sums} if {@code inLanes}, else in one chain, first element first.
   */
  public record Reduce(Temp target, Op op, Region source, Lin length, boolean inLanes) implements Instr {}

  /** {@code array[index] = value}. */
  public record Store(Element target, Operand value) implements Instr {}

  /** {@code for i < length: target[i] = source[i]}. */
  public record Move(Region target, Lin length, VecOperand source) implements Instr {}

  /**
   * {@code for i < length: target[i] = source[(int) index[i] + shift]}: indexing with data
   * integers (checked against the source's length when the data are bound).
   */
  public record Gather(Region target, Lin length, Region source, int sourceLength, Region index, int shift)
      implements Instr {}

  /**
   * {@code target[0 .. targetLength) = 0; for i < length: target[(int) index[i] + shift] += source[i]}:
   * the adjoint of a gather.
   */
  public record Scatter(Region target, int targetLength, Region source, Region index, Lin length, int shift)
      implements Instr {}

  // ---- matrices and the operations of neural flows (fixed sizes; see the ops of the same names) ----

  /**
   * A matrix times a vector, the matrix {@code rows x cols} row-major: {@code target[i] = sum_j
   * matrix[i*cols + j] * vector[j]}, or transposed {@code target[j] = sum_i matrix[i*cols + j] *
   * vector[i]}. Every sum starts from its first term and adds the others in ascending order (the
   * order of {@link io.flowc.compiler.ir.Op#MATVEC}); the transposed one runs over the matrix row
   * by row, each target element receiving its terms in that same order.
   */
  public record MatVec(Region target, Region matrix, Region vector, int rows, int cols, boolean transposed)
      implements Instr {
    /** Length of the vector read. */
    public int vectorLength() {
      return transposed ? rows : cols;
    }

    /** Length of the vector written. */
    public int targetLength() {
      return transposed ? cols : rows;
    }
  }

  /**
   * A {@link MatVec} for each draw of a block ({@link BatchedBody}) with a matrix that is the same
   * for every draw (a value the prologue computed): element k of the vector for draw b is
   * {@code vector[k * vector.stride + b]} (one row of the block per element, the draws along it),
   * the target's likewise, b below {@code count}. Each draw's sums are MatVec's, term by term in
   * the same order, so every draw gets the per-draw product's bits.
   */
  public record BlockMatVec(Region target, Region matrix, Region vector, int rows, int cols, boolean transposed,
      Lin count) implements Instr {
    /**
     * Draws per loop trip, each with its own sum: independent chains of additions the processor
     * overlaps (docs/performance.md, batch-major bodies).
     */
    public static final int DRAWS_PER_TRIP = 8;

    /** Length of each draw's vector. */
    public int vectorLength() {
      return transposed ? rows : cols;
    }

    /** Length of each draw's target. */
    public int targetLength() {
      return transposed ? cols : rows;
    }

    /** How far apart in the matrix the terms of one output are. */
    public int termStep() {
      return transposed ? cols : 1;
    }

    /** How far apart in the matrix the first terms of consecutive outputs are. */
    public int outputStep() {
      return transposed ? 1 : cols;
    }
  }

  /**
   * The sum over a block's draws of their outer products, added into a matrix all draws share (the
   * gradient of a weight matrix): {@code accumulator[i*cols + j] += (mask[b] != 0 ? left[i][b] *
   * right[j][b] : 0.0)} for b ascending below {@code count}, each element's sum in draw order as
   * the per-draw body adds it; {@code left[i][b]} is {@code left[i * left.stride + b]} (one row of
   * the block per element), likewise right and the mask (one row; null: every draw counts).
   */
  public record BlockOuterSum(Region accumulator, Region left, Region right, Region mask, int rows, int cols,
      Lin count) implements Instr {
    /** Columns summed side by side, each its own chain of additions. */
    public static final int COLUMNS_PER_TRIP = 8;
  }

  /** {@code target[i*cols + j] = left[i] * right[j]}, i then j ascending. */
  public record Outer(Region target, Region left, Region right, int rows, int cols) implements Instr {}

  /**
   * {@code for t < positions.length: target[positions[t]] = source[t]}, positions strictly
   * increasing and below 55296 (they are kept as the chars of a string constant, so no surrogate);
   * other elements of the target are left as they are.
   */
  public record Place(Region target, Region source, int[] positions) implements Instr {
    public Place {
      positions = positions.clone();
    }
  }

  /** {@code for t < positions.length: target[t] = source[positions[t]]}, positions as in {@link Place}. */
  public record Take(Region target, Region source, int[] positions) implements Instr {
    public Take {
      positions = positions.clone();
    }

    /** How many elements of the source it may read: up to its last position. */
    public int sourceLength() {
      return positions[positions.length - 1] + 1;
    }
  }

  /**
   * Running sums: {@code target[0] = source[0]; target[k] = target[k-1] + source[k]} for k
   * ascending, or from the end if {@code reverse} ({@code target[n-1] = source[n-1]; target[k] =
   * target[k+1] + source[k]}).
   */
  public record Scan(Region target, Region source, int length, boolean reverse) implements Instr {}

  /**
   * {@code t = k} for the last k in 1 .. count-2 with {@code x >= knots[k]}, else 0: the bin of x
   * among {@code count} ascending knots, every knot compared (no early exit).
   */
  public record Search(Temp target, Region knots, int count, Operand x) implements Instr {}

  /** {@code t = source[(int) index]}, index in [0, length) by construction. */
  public record Pick(Temp target, Region source, int length, Operand index) implements Instr {}

  /** {@code target[(int) index] = value} (a Move of zeros before it clears the rest). */
  public record Put(Region target, int length, Operand value, Operand index) implements Instr {}

  /**
   * A call of {@code io.flowc.runtime.DenseMatrices.routine(target, targetOffset, arg0,
   * arg0Offset, ..., ints...)}: the routines of Cholesky factors, triangular solves and matrix
   * products (docs/internals.md, "Dense linear algebra"), each a loop nest too large and too
   * irregular to write inline, shared by every class. The target (stride 1, {@code targetLength}
   * elements) never overlaps an argument; argument k is read over {@code argLengths[k]} elements.
   */
  public record Dense(String routine, Region target, int targetLength, List<Region> args, int[] argLengths, int[] ints)
      implements Instr {
    public Dense {
      args = List.copyOf(args);
      argLengths = argLengths.clone();
      ints = ints.clone();
    }

    /** The JVM descriptor of the routine. */
    public String descriptor() {
      return "([DI" + "[DI".repeat(args.size()) + "I".repeat(ints.length) + ")V";
    }

    /** The elements the instruction walks, for cost estimates: n^3 for an n x n factor. */
    public long work() {
      long n = Math.max(1, Math.round(Math.sqrt(targetLength)));
      return routine.equals("multiply") ? (long) targetLength * ints[1] : n * n * n;
    }
  }

  /** Ends the kernel with a value. */
  public record Return(Operand value) implements Instr {}

  /**
   * Several elementwise loops of one length run as one ({@link LoopFusion}): for each i the body
   * runs in order. Values that no other instruction reads stay in per-iteration lanes instead of
   * going through the workspace; sums accumulate into temporaries that start at 0.
   */
  public record Fused(Lin length, List<LaneInstr> body) implements Instr {
    public Fused {
      body = List.copyOf(body);
    }

    /** The regions the loop reads element by element, in the order of its operands. */
    public List<Region> regionsRead() {
      List<Region> out = new ArrayList<>();
      for (LaneInstr li : body) {
        List<LaneOperand> operands = li instanceof LaneAssign a ? a.args()
            : li instanceof LaneWrite w ? List.of(w.value()) : List.of(((LaneSum) li).value());
        for (LaneOperand o : operands) {
          if (o instanceof At at) {
            out.add(at.region());
          }
        }
      }
      return out;
    }
  }

  /** An operand inside a fused loop. */
  public sealed interface LaneOperand permits Lane, At, Invariant {}

  /** A per-iteration value of a fused loop. */
  public record Lane(int id) implements LaneOperand {}

  /** Element i of a region. */
  public record At(Region region) implements LaneOperand {}

  /** The same scalar in every iteration. */
  public record Invariant(Operand scalar) implements LaneOperand {}

  /** One step of a fused loop's body. */
  public sealed interface LaneInstr permits LaneAssign, LaneWrite, LaneSum {}

  /** {@code lane = op(args)}. */
  public record LaneAssign(Lane target, Op op, int[] attrs, List<LaneOperand> args) implements LaneInstr {
    public LaneAssign {
      args = List.copyOf(args);
    }
  }

  /** {@code target[i] = value}. */
  public record LaneWrite(Region target, LaneOperand value) implements LaneInstr {}

  /**
   * {@code accumulator += value} (the accumulator is 0 before the loop): in lanes, in the order of
   * {@link Sums} (a model's sums), or in one chain in the loop's order (sums
   * across draws, which must add as the per-draw body does, one draw after another).
   */
  public record LaneSum(Temp accumulator, LaneOperand value, boolean inLanes) implements LaneInstr {}
}
