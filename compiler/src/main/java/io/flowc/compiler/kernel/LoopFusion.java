package io.flowc.compiler.kernel;

import io.flowc.compiler.ir.Op;
import io.flowc.compiler.kernel.Kernel.Array;
import io.flowc.compiler.kernel.Kernel.Assign;
import io.flowc.compiler.kernel.Kernel.At;
import io.flowc.compiler.kernel.Kernel.Element;
import io.flowc.compiler.kernel.Kernel.Fused;
import io.flowc.compiler.kernel.Kernel.Instr;
import io.flowc.compiler.kernel.Kernel.Invariant;
import io.flowc.compiler.kernel.Kernel.Lane;
import io.flowc.compiler.kernel.Kernel.LaneAssign;
import io.flowc.compiler.kernel.Kernel.LaneInstr;
import io.flowc.compiler.kernel.Kernel.LaneOperand;
import io.flowc.compiler.kernel.Kernel.LaneSum;
import io.flowc.compiler.kernel.Kernel.LaneWrite;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Merges runs of elementwise loops, moves and sums over one length into single loops, so a long
 * vector expression walks its data once and keeps its intermediate values in registers instead
 * of writing each to the workspace and reading it back. Loops are first moved up past scalar
 * statements they do not depend on, which brings the loops of a value and of its gradient
 * together, and down past scalar statements that do not depend on them when a loop of their length
 * follows. Every floating-point operation stays as it was, in the same order for each element
 * (sums still add element 0 first), so results do not change by a bit. The instructions of
 * matrices and neural flows ({@link Kernel.MatVec} and the others) are never fused: they end a run.
 */
public final class LoopFusion {
  /** Largest estimated size of one fused loop; a longer run is cut (a method must stay small). */
  static final int MAX_FUSED_SIZE = KernelSplitter.METHOD_BUDGET / 2;

  private final Kernel kernel;
  /** Offsets and lengths evaluated so far: the unit of work of the overlap analysis. */
  private long probes;

  /** Whether the kernel reads any offset or length at run time ({@link KernelSplitter#estimate(Instr, boolean)}). */
  private final boolean runTimeSizes;

  /**
   * Each instruction's regions and elements read, made once: the overlap analysis asks for an
   * earlier instruction's again with every later one it weighs (diamonds' fusion spent a sixth of
   * its compile in a fresh process making these lists again).
   */
  private final Map<Instr, List<Region>> regionsRead = new IdentityHashMap<>();
  private final Map<Instr, List<Element>> elementsRead = new IdentityHashMap<>();
  private final Map<Instr, Set<Integer>> tempsRead = new IdentityHashMap<>();

  private LoopFusion(Kernel kernel) {
    this.kernel = kernel;
    this.runTimeSizes = KernelSplitter.readsRunTimeSizes(kernel);
  }

  public static Kernel fuse(Kernel kernel) {
    return new LoopFusion(kernel).run();
  }

  /** How many offsets and lengths fusing {@code kernel} evaluates (a measure of its cost that tests can bound). */
  static long probesToFuse(Kernel kernel) {
    LoopFusion fusion = new LoopFusion(kernel);
    fusion.run();
    return fusion.probes;
  }

  private int probe(Lin l) {
    probes++;
    return kernel.probe(l);
  }

  private Kernel run() {
    List<Instr> ordered = sinkLoops(hoistLoops(kernel.body()));
    WorkReads reads = new WorkReads(ordered);
    List<Instr> out = new ArrayList<>();
    int k = 0;
    while (k < ordered.size()) {
      int end = groupEnd(ordered, k);
      if (end - k >= 2) {
        out.add(fuse(reads, ordered, k, end, kernel.scratchStart()));
      } else {
        out.add(ordered.get(k));
      }
      k = Math.max(end, k + 1);
    }
    return Rematerialization.apply(kernel.withBody(out));
  }

  private boolean isLoopLike(Instr instr) {
    return instr instanceof Loop || instr instanceof Move || (instr instanceof Reduce r && r.op() == Op.SUM);
  }

  private static Lin lengthOf(Instr instr) {
    if (instr instanceof Loop l) {
      return l.length();
    } else if (instr instanceof Move m) {
      return m.length();
    }
    return ((Reduce) instr).length();
  }

  /**
   * Moves each loop up past the scalar assignments before it that it does not read; and each sum
   * past up to {@link #MAX_LOOPS_PASSED} loops (and assignments) it does not depend on, to the
   * earliest run of loops of its length it fuses with: its chain of additions then runs beside
   * the work of that loop instead of alone. In W4's Householder flows the sum of a reflection's
   * gradient terms joins the loop that writes them, beside that loop's own sum, instead of the
   * next loop, which waits for the first sum.
   */
  private List<Instr> hoistLoops(List<Instr> body) {
    List<Instr> out = new ArrayList<>(body);
    for (int j = 0; j < out.size(); j++) {
      if (!isLoopLike(out.get(j))) {
        continue;
      }
      Set<Integer> reads = tempsRead(out.get(j));
      int at = j;
      while (at > 0 && out.get(at - 1) instanceof Assign a && !reads.contains(a.target().id())) {
        at--;
      }
      if (out.get(j) instanceof Reduce) {
        int joined = joinPoint(out, j);
        if (joined >= 0 && joined < at) {
          at = joined;
        }
      }
      if (at < j) {
        out.add(at, out.remove(j));
      }
    }
    return out;
  }

  /**
   * Moves a loop down past the scalar assignments after it that read nothing it writes, when a
   * loop of its length follows them, so that the two fuse: in W4's reverse reflections the loop
   * scaling the negated gradient by the reflection's factor joins the loop that adds it into the
   * gradients, past the four scalars computed between them from the first loop's sums, and its
   * vector stays in registers. Each pass keeps every instruction after those it reads and before
   * those that read it, so either order of the two is the same computation.
   */
  private List<Instr> sinkLoops(List<Instr> body) {
    List<Instr> out = new ArrayList<>(body);
    for (int j = out.size() - 2; j >= 0; j--) {
      Instr x = out.get(j);
      if (!isLoopLike(x)) {
        continue;
      }
      Set<Integer> written = tempsWritten(x);
      int k = j + 1;
      while (k < out.size() && k - j <= MAX_SEARCH && out.get(k) instanceof Assign a
          && Collections.disjoint(tempsRead(a), written) && !writesWhatIsAccessed(x, a)) {
        k++;
      }
      if (k > j + 1 && k < out.size() && sameLength(out.get(k), lengthOf(x))) {
        out.add(k - 1, out.remove(j));
      }
    }
    return out;
  }

  /** Most loops a sum is moved past to join an earlier run of its length. */
  static final int MAX_LOOPS_PASSED = 4;

  /**
   * Most instructions a sum's search looks at above it, and most loops in a run it joins: the
   * search must cost a bounded amount per sum, as fusion's overlap analysis costs work in
   * proportion to the kernel (a model with thousands of sums over its data has them).
   */
  static final int MAX_SEARCH = 16;

  /**
   * The earliest place above {@code j} where the sum there fuses with a run of loops of its length,
   * right after the run's last loop, passing only instructions it does not depend on and that do
   * not depend on it; -1 if none.
   */
  private int joinPoint(List<Instr> out, int j) {
    Instr x = out.get(j);
    Lin length = lengthOf(x);
    Set<Integer> reads = tempsRead(x);
    int best = -1;
    int passed = 0;
    for (int q = j; q > 0 && q > j - MAX_SEARCH; q--) {
      Instr p = out.get(q - 1);
      if (q < j && sameLength(p, length) && !sameLength(out.get(q), length) && fusesAfter(out, q, x, reads, length)) {
        best = q;
      }
      if (p instanceof Assign a) {
        if (reads.contains(a.target().id()) || tempsRead(a).stream().anyMatch(tempsWritten(x)::contains)) {
          break;
        }
      } else if (!isLoopLike(p) || ++passed > MAX_LOOPS_PASSED || dependent(p, x)) {
        break;
      }
    }
    return best;
  }

  private boolean sameLength(Instr instr, Lin length) {
    return isLoopLike(instr) && lengthOf(instr).equals(length);
  }

  /**
   * Whether {@code x} (reading the temporaries {@code reads}) placed at {@code q} fuses with the run
   * of loops of its length that ends there.
   */
  private boolean fusesAfter(List<Instr> out, int q, Instr x, Set<Integer> reads, Lin length) {
    int start = q;
    while (start > 0 && sameLength(out.get(start - 1), length)) {
      start--;
      if (q - start > MAX_SEARCH) {
        return false;
      }
    }
    List<Instr> run = out.subList(start, q);
    for (Instr earlier : run) {
      if (earlier instanceof Reduce r && reads.contains(r.target().id())) {
        return false;
      }
    }
    return !conflicts(run, x, length);
  }

  /** Whether two loop-like instructions must keep their order: one reads or writes what the other writes. */
  private boolean dependent(Instr a, Instr b) {
    Set<Integer> aWrites = tempsWritten(a);
    Set<Integer> bWrites = tempsWritten(b);
    return !Collections.disjoint(aWrites, tempsRead(b)) || !Collections.disjoint(bWrites, tempsRead(a))
        || !Collections.disjoint(aWrites, bWrites) || writesWhatIsAccessed(a, b) || writesWhatIsAccessed(b, a);
  }

  private Set<Integer> tempsWritten(Instr instr) {
    return instr instanceof Reduce r ? Set.of(r.target().id()) : Set.of();
  }

  /** Whether {@code writer} writes an element that {@code other} reads or writes. */
  private boolean writesWhatIsAccessed(Instr writer, Instr other) {
    Region written = regionWritten(writer);
    if (written == null) {
      return false;
    }
    int at = probe(written.offset());
    int length = span(written, probe(lengthOf(writer)));
    for (Element e : elementsRead(other)) {
      if (e.array() == written.array() && overlaps(at, length, e.index(), 1)) {
        return true;
      }
    }
    Region otherWritten = regionWritten(other);
    for (Region r : regionsAccessed(other)) {
      int rLength = span(r, r == otherWritten ? probe(lengthOf(other)) : readLength(other, r));
      if (r.array() == written.array() && overlaps(at, length, probe(r.offset()), rLength)) {
        return true;
      }
    }
    return false;
  }

  /** The end (exclusive) of the fusable run starting at {@code start}. */
  private int groupEnd(List<Instr> body, int start) {
    if (!isLoopLike(body.get(start))) {
      return start + 1;
    }
    Lin length = lengthOf(body.get(start));
    boolean lanes = Kernel.sumsInLanes(length);
    Set<Integer> sums = new HashSet<>();
    boolean calls = false;
    int laneSums = 0;
    int size = 0;
    int end = start;
    while (end < body.size() && isLoopLike(body.get(end)) && lengthOf(body.get(end)).equals(length)) {
      Instr next = body.get(end);
      boolean readsASum = tempsRead(next).stream().anyMatch(sums::contains);
      boolean nextCalls = next instanceof Loop l && calls(l.op());
      boolean laneSum = lanes && next instanceof Reduce r && r.inLanes();
      boolean sumBesideCalls = laneSum ? calls : nextCalls && laneSums > 0;
      boolean tooManyLanes = laneSum && laneSums >= MAX_SUMS_IN_LANES;
      size += KernelSplitter.estimate(next, runTimeSizes);
      if (readsASum || sumBesideCalls || tooManyLanes || size > MAX_FUSED_SIZE
          || conflicts(body.subList(start, end), next, length)) {
        break;
      }
      if (next instanceof Reduce r) {
        sums.add(r.target().id());
      }
      laneSums += laneSum ? 1 : 0;
      calls |= nextCalls;
      end++;
    }
    return end;
  }

  /**
   * Most sums in lanes in one fused loop: four accumulators each, three sums take 12 of the 16
   * floating-point registers of x86-64, leaving the rest for the terms. W9's gradient with respect
   * to its 20 coefficients is 20 sums over the rows; eight of them in one loop (32 accumulators)
   * spilled to the stack on every row.
   */
  static final int MAX_SUMS_IN_LANES = 3;

  /**
   * Whether the backends compile the op to a call (exp, log and the functions made of them),
   * across which HotSpot keeps no floating-point value in a register. A sum in lanes holds four
   * accumulators for the whole loop, which such a loop would store and reload around every call:
   * W9's row loop, three sums beside a softplus and a sigmoid, ran 1.6 times as long. So a sum in
   * lanes is not fused with a loop that calls; it sums the terms that loop stores, in a loop of
   * its own.
   */
  static boolean calls(Op op) {
    return switch (op) {
      case NEG, ADD, SUB, MUL, DIV, SQUARE, SQRT, ABS, MIN, MAX, NOT, LT, LE, GT, GE, EQ, NE, AND, OR, SELECT -> false;
      default -> true;
    };
  }

  /**
   * Whether fusing {@code next} after {@code group} would let an iteration see another
   * iteration's write: a write and a read (or two writes) of one array whose offsets differ by
   * less than the length, or a write of an element that a loop reads as one scalar for all i.
   */
  private boolean conflicts(List<Instr> group, Instr next, Lin lin) {
    int length = probe(lin);
    Region nextWritten = regionWritten(next);
    for (Instr earlier : group) {
      Region earlierWritten = regionWritten(earlier);
      for (Element e : elementsRead(next)) {
        if (contains(earlierWritten, length, e)) {
          return true;
        }
      }
      for (Element e : elementsRead(earlier)) {
        if (contains(nextWritten, length, e)) {
          return true;
        }
      }
    }
    List<Region> nextAccesses = regionsAccessed(next);
    Region nextWrite = regionWritten(next);
    for (Instr earlier : group) {
      List<Region> earlierAccesses = regionsRead(earlier);
      Region earlierWrite = regionWritten(earlier);
      for (Region a : nextAccesses) {
        if (earlierWrite != null && shifted(a, earlierWrite, length)) {
          return true;
        }
      }
      if (nextWrite != null) {
        for (Region a : earlierAccesses) {
          if (shifted(a, nextWrite, length)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private boolean contains(Region r, int length, Element e) {
    return r != null && r.array() == e.array() && e.index() >= probe(r.offset()) && e.index() < probe(r.offset()) + length;
  }

  private boolean shifted(Region a, Region b, int length) {
    return a.array() == b.array() && !a.offset().equals(b.offset())
        && Math.abs(probe(a.offset()) - probe(b.offset())) < length;
  }

  private Region regionWritten(Instr instr) {
    if (instr instanceof Loop l) {
      return l.target();
    } else if (instr instanceof Move m) {
      return m.target();
    }
    return null;
  }

  /** The regions an instruction reads, and the one it writes if it writes one. */
  private List<Region> regionsAccessed(Instr instr) {
    List<Region> out = new ArrayList<>(regionsRead(instr));
    Region written = regionWritten(instr);
    if (written != null) {
      out.add(written);
    }
    return out;
  }

  private List<Region> regionsRead(Instr instr) {
    List<Region> known = regionsRead.get(instr);
    if (known == null) {
      known = Collections.unmodifiableList(findRegionsRead(instr));
      regionsRead.put(instr, known);
    }
    return known;
  }

  private static List<Region> findRegionsRead(Instr instr) {
    List<Region> out = new ArrayList<>();
    if (instr instanceof Loop l) {
      l.args().forEach(v -> addRegion(v, out));
    } else if (instr instanceof Move m) {
      addRegion(m.source(), out);
    } else if (instr instanceof Reduce r) {
      out.add(r.source());
    } else if (instr instanceof Kernel.Gather g) {
      out.add(g.source());
      out.add(g.index());
    } else if (instr instanceof Kernel.Scatter s) {
      out.add(s.source());
      out.add(s.index());
    } else if (instr instanceof Kernel.MatVec m) {
      out.add(m.matrix());
      out.add(m.vector());
      if (m.transposed()) {
        out.add(m.target()); // the transposed product adds into its target row by row
      }
    } else if (instr instanceof Kernel.Outer o) {
      out.add(o.left());
      out.add(o.right());
    } else if (instr instanceof Kernel.Dense d) {
      out.addAll(d.args());
      out.add(d.target()); // the routines work in their target
    } else if (instr instanceof Kernel.Place p) {
      out.add(p.source());
    } else if (instr instanceof Kernel.Take t) {
      out.add(t.source());
    } else if (instr instanceof Kernel.Scan s) {
      out.add(s.source());
      out.add(s.target()); // each running sum reads the one before it
    } else if (instr instanceof Kernel.Search s) {
      out.add(s.knots());
    } else if (instr instanceof Kernel.Pick p) {
      out.add(p.source());
    } else if (instr instanceof Kernel.Repeat) {
      // a loop body may read anything: every workspace value written before it stays in memory
      out.add(new Region(Array.WORK, 0));
    }
    return out;
  }

  /** How many elements from {@code read} on an instruction may read (all of a gathered source). */
  private int readLength(Instr instr, Region read) {
    if (instr instanceof Kernel.Gather g) {
      return read == g.source() ? g.sourceLength() : probe(g.length());
    } else if (instr instanceof Kernel.Scatter s) {
      return probe(s.length());
    } else if (instr instanceof Kernel.MatVec m) {
      return read == m.matrix() ? m.rows() * m.cols() : read == m.vector() ? m.vectorLength() : m.targetLength();
    } else if (instr instanceof Kernel.Outer o) {
      return read == o.left() ? o.rows() : o.cols();
    } else if (instr instanceof Kernel.Dense d) {
      int k = d.args().indexOf(read);
      return k >= 0 ? d.argLengths()[k] : d.targetLength();
    } else if (instr instanceof Kernel.Place p) {
      return p.positions().length;
    } else if (instr instanceof Kernel.Take t) {
      return t.sourceLength();
    } else if (instr instanceof Kernel.Scan s) {
      return s.length();
    } else if (instr instanceof Kernel.Search s) {
      return s.count();
    } else if (instr instanceof Kernel.Pick p) {
      return p.length();
    } else if (instr instanceof Kernel.Repeat) {
      return Integer.MAX_VALUE / 2;
    }
    return probe(instr instanceof Reduce r ? r.length() : lengthOf(instr));
  }

  private static void addRegion(VecOperand v, List<Region> out) {
    if (v instanceof Region r) {
      out.add(r);
    }
  }

  private Set<Integer> tempsRead(Instr instr) {
    Set<Integer> known = tempsRead.get(instr);
    if (known == null) {
      known = new HashSet<>();
      for (Operand o : Kernel.scalarsRead(instr)) {
        if (o instanceof Temp t) {
          known.add(t.id());
        }
      }
      known = Collections.unmodifiableSet(known);
      tempsRead.put(instr, known);
    }
    return known;
  }

  // ---- building the fused loop --------------------------------------------------------------

  private Fused fuse(WorkReads reads, List<Instr> body, int start, int end, int scratchStart) {
    List<Instr> group = body.subList(start, end);
    Lin length = lengthOf(group.get(0));
    Set<Lin> internal = internalRegions(reads, body, start, end);
    internal.removeIf(offset -> probe(offset) < scratchStart); // shared with other kernels: must be written
    Map<Lin, Lane> lanes = new HashMap<>();
    List<LaneInstr> out = new ArrayList<>();
    int nextLane = 0;
    for (Instr instr : group) {
      if (instr instanceof Loop l) {
        List<LaneOperand> args = new ArrayList<>();
        for (VecOperand v : l.args()) {
          args.add(lane(v, lanes));
        }
        Lane lane = new Lane(nextLane++);
        out.add(new LaneAssign(lane, l.op(), l.attrs(), args));
        if (internal.contains(l.target().offset()) && l.target().array() == Array.WORK) {
          lanes.put(l.target().offset(), lane);
        } else {
          out.add(new LaneWrite(l.target(), lane));
        }
      } else if (instr instanceof Move m) {
        out.add(new LaneWrite(m.target(), lane(m.source(), lanes)));
      } else {
        Reduce r = (Reduce) instr;
        out.add(new LaneSum(r.target(), lane(r.source(), lanes), r.inLanes()));
      }
    }
    return new Fused(length, out);
  }

  private LaneOperand lane(VecOperand v, Map<Lin, Lane> lanes) {
    if (v instanceof Splat s) {
      return new Invariant(s.scalar());
    }
    Region r = (Region) v;
    Lane lane = r.array() == Array.WORK ? lanes.get(r.offset()) : null;
    return lane != null ? lane : new At(r);
  }

  /**
   * Offsets of the workspace regions that loops of the group write and nothing outside the
   * group reads: they need no memory at all.
   */
  private Set<Lin> internalRegions(WorkReads reads, List<Instr> body, int start, int end) {
    int length = probe(lengthOf(body.get(start)));
    Set<Lin> candidates = new HashSet<>();
    for (Instr instr : body.subList(start, end)) {
      if (instr instanceof Loop l && l.target().array() == Array.WORK) {
        candidates.add(l.target().offset());
      }
    }
    candidates.removeIf(offset -> reads.needMemory(offset, probe(offset), length, start, end));
    return candidates;
  }

  /**
   * Every read of the workspace in a body, sorted by the first element read, so that which reads
   * touch a region is found without a pass over the body for every fused group (a model of a
   * large matrix has thousands of groups).
   */
  private final class WorkReads {
    /** Region reads: instruction index, offset, first element and end (exclusive), by first element. */
    private final int[] instr;
    private final Lin[] offset;
    private final int[] first;
    private final int[] end;
    /** The largest end among reads 0..k: where a backward walk can stop. */
    private final int[] maxEnd;
    /** Elements read as scalars, ascending. */
    private final int[] elements;

    WorkReads(List<Instr> body) {
      List<int[]> found = new ArrayList<>();
      List<Lin> offsets = new ArrayList<>();
      List<Integer> scalars = new ArrayList<>();
      for (int k = 0; k < body.size(); k++) {
        Instr instr = body.get(k);
        for (Region read : regionsRead(instr)) {
          if (read.array() == Array.WORK) {
            int at = probe(read.offset());
            found.add(new int[] {k, at, at + readLength(instr, read), offsets.size()});
            offsets.add(read.offset());
          }
        }
        for (Element e : elementsRead(instr)) {
          if (e.array() == Array.WORK) {
            scalars.add(e.index());
          }
        }
      }
      found.sort((a, b) -> Integer.compare(a[1], b[1]));
      int n = found.size();
      instr = new int[n];
      offset = new Lin[n];
      first = new int[n];
      end = new int[n];
      maxEnd = new int[n];
      for (int j = 0; j < n; j++) {
        int[] r = found.get(j);
        instr[j] = r[0];
        first[j] = r[1];
        end[j] = r[2];
        offset[j] = offsets.get(r[3]);
        maxEnd[j] = j == 0 ? r[2] : Math.max(maxEnd[j - 1], r[2]);
      }
      elements = scalars.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /**
     * Whether the region at {@code offset} ({@code at} in the sample binding, {@code length}
     * long) written in the group [{@code start}, {@code end}) is read other than as a lane: by an
     * instruction outside the group, at another offset, or as a scalar.
     */
    boolean needMemory(Lin regionOffset, int at, int length, int start, int groupEnd) {
      int e = firstAtLeast(elements, at);
      if (e < elements.length && elements[e] < at + length) {
        return true;
      }
      for (int j = firstAtLeast(first, at + length) - 1; j >= 0 && maxEnd[j] > at; j--) {
        boolean lane = instr[j] >= start && instr[j] < groupEnd && offset[j].equals(regionOffset);
        if (end[j] > at && !lane) {
          return true;
        }
      }
      return false;
    }

    /** The index of the first value at least {@code key} in ascending {@code values}. */
    private static int firstAtLeast(int[] values, int key) {
      int lo = 0;
      int hi = values.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (values[mid] < key) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }
  }

  /** How many array elements from a region's offset its first {@code count} elements span. */
  private static int span(Region r, int count) {
    return count <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE / 2, (count - 1L) * r.stride() + 1);
  }

  private boolean overlaps(int a, int aLength, int b, int bLength) {
    return a < b + bLength && b < a + aLength;
  }

  private List<Element> elementsRead(Instr instr) {
    List<Element> known = elementsRead.get(instr);
    if (known == null) {
      List<Element> out = new ArrayList<>();
      for (Operand o : Kernel.scalarsRead(instr)) {
        if (o instanceof Element e) {
          out.add(e);
        }
      }
      known = Collections.unmodifiableList(out);
      elementsRead.put(instr, known);
    }
    return known;
  }

}
