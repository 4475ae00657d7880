package io.flowc.compiler.kernel;

import io.flowc.compiler.ir.Op;
import io.flowc.compiler.kernel.Kernel.Array;
import io.flowc.compiler.kernel.Kernel.Assign;
import io.flowc.compiler.kernel.Kernel.At;
import io.flowc.compiler.kernel.Kernel.Element;
import io.flowc.compiler.kernel.Kernel.Fused;
import io.flowc.compiler.kernel.Kernel.Instr;
import io.flowc.compiler.kernel.Kernel.Lane;
import io.flowc.compiler.kernel.Kernel.LaneAssign;
import io.flowc.compiler.kernel.Kernel.LaneInstr;
import io.flowc.compiler.kernel.Kernel.LaneOperand;
import io.flowc.compiler.kernel.Kernel.LaneSum;
import io.flowc.compiler.kernel.Kernel.LaneWrite;
import io.flowc.compiler.kernel.Kernel.Loop;
import io.flowc.compiler.kernel.Kernel.Move;
import io.flowc.compiler.kernel.Kernel.Reduce;
import io.flowc.compiler.kernel.Kernel.Region;
import io.flowc.compiler.kernel.Kernel.Return;
import io.flowc.compiler.kernel.Kernel.Store;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps a fused loop's vectors out of memory where they need not be there. Where a fused loop
 * writes {@code r[i] = -q[i]} to its own scratch and later fused loops of its length read r, those
 * loops negate {@code q[i]} themselves; a loop that reads back, at element i, what it has just
 * written there uses the value it wrote; and a scratch write nothing reads any more goes. A
 * negation is exact, so the values are the same bits. What it buys is the loop's shape: the
 * reverse pass of W4's reflections read the negated adjoint from a fixed place beside vectors that
 * move with the reflection, and HotSpot's superword pass runs a loop in vectors only when every
 * place it walks in one array has the same moving part (docs/performance.md, "Aligned vectors").
 */
final class Rematerialization {
  private final Kernel kernel;
  private final List<Instr> body;
  /**
   * Each instruction's elements read as scalars, and each fused loop's regions read, made once:
   * every scratch write asks again of every instruction after it (the pass was a fifth of some
   * models' compile in a fresh process, where the compiler runs interpreted).
   */
  private final Map<Instr, List<Element>> elementsRead = new IdentityHashMap<>();
  private final Map<Fused, List<Region>> regionsRead = new IdentityHashMap<>();

  private Rematerialization(Kernel kernel) {
    this.kernel = kernel;
    this.body = new ArrayList<>(kernel.body());
  }

  /** {@code kernel} (fused) with its scratch vectors kept in registers where the rules above allow. */
  static Kernel apply(Kernel kernel) {
    Rematerialization r = new Rematerialization(kernel);
    for (int a = 0; a < r.body.size(); a++) {
      if (r.body.get(a) instanceof Fused) {
        r.scratchWrites(a);
      }
    }
    return kernel.withBody(r.body);
  }

  /**
   * For each vector fused loop {@code a} writes to scratch: its own later steps read the value
   * from the register rather than back from memory; a negation is recomputed in the loops after it
   * that read it; and the write goes when nothing reads it any more.
   */
  private void scratchWrites(int a) {
    for (LaneInstr li : ((Fused) body.get(a)).body()) {
      if (!(li instanceof LaneWrite w) || !(w.value() instanceof Lane x) || !scratch(w.target())) {
        continue;
      }
      Fused f = (Fused) body.get(a);
      Fused own = readingLane(f, w, x);
      if (own == null) {
        continue;
      }
      body.set(a, own);
      At negated = negated(own, x);
      boolean unread = negated != null && !writes(own, negated.region(), own.length())
          ? recomputeInReaders(a, w.target(), negated.region(), own.length())
          : unreadFrom(a + 1, w.target(), own.length());
      if (unread) {
        body.set(a, withoutWrite(own, w));
      }
    }
  }

  /** Whether no instruction from {@code from} on reads r (every one an instruction whose reads this pass sees). */
  private boolean unreadFrom(int from, Region r, Lin length) {
    for (int b = from; b < body.size(); b++) {
      Instr instr = body.get(b);
      if (!known(instr) || reads(instr, r, length) || writes(instr, r, length)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Rewrites the fused loops after {@code a} that read {@code r} to negate {@code q} instead, while
   * neither changes; true if no instruction reads r any more, so its write may go.
   */
  private boolean recomputeInReaders(int a, Region r, Region q, Lin length) {
    for (int b = a + 1; b < body.size(); b++) {
      Instr instr = body.get(b);
      if (instr instanceof Fused g && g.length().equals(length) && !writes(g, r, length) && !writes(g, q, length)
          && readsOnlyAsItself(g, r, length)) {
        if (reads(g, r, length)) {
          body.set(b, negating(g, r, q));
        }
        continue;
      }
      if (!known(instr) || reads(instr, r, length)) {
        return false;
      }
      if (writes(instr, r, length) || writes(instr, q, length)) {
        // readers from here on would see another q: the write stays if there are any
        return unreadFrom(b + 1, r, length) && !writes(instr, r, length);
      }
    }
    return true;
  }

  /**
   * {@code f} reading lane x where it reads back what {@code write} wrote (the loop's later steps
   * read r as element i, which the write has just set to x); null if it reads r otherwise.
   */
  private Fused readingLane(Fused f, LaneWrite write, Lane x) {
    Region r = write.target();
    boolean written = false;
    List<LaneInstr> out = new ArrayList<>();
    for (LaneInstr li : f.body()) {
      // one lane instruction as a loop of its own, asked once here: not kept with the body's reads
      Fused one = new Fused(f.length(), List.of(li));
      if (li != write && (writes(one, r, f.length())
          || Kernel.scalarsRead(one).stream().anyMatch(o -> o instanceof Element e && inside(e, r, f.length())))) {
        return null;
      }
      List<Region> oneReads = one.regionsRead();
      boolean asItself = onlyAsItself(oneReads, f.length(), r, f.length());
      if (li != write && asItself && !anyOverlaps(oneReads, f.length(), r, f.length())) {
        out.add(li);
      } else if (li == write) {
        written = true;
        out.add(li);
      } else if (written && asItself && !writes(one, r, f.length())) {
        out.add(replace(li, r, x));
      } else {
        return null;
      }
    }
    return new Fused(f.length(), out);
  }

  /** The operand x negates in {@code f}, if x is {@code -q[i]} for a region q walked with stride 1. */
  private static At negated(Fused f, Lane x) {
    for (LaneInstr li : f.body()) {
      if (li instanceof LaneAssign as && as.target().equals(x)) {
        return as.op() == Op.NEG && as.args().size() == 1 && as.args().get(0) instanceof At at
            && at.region().stride() == 1 ? at : null;
      }
    }
    return null;
  }

  /** A place of this kernel's own scratch, fixed when compiled (not a data-sized one). */
  private boolean scratch(Region r) {
    return r.array() == Array.WORK && r.stride() == 1 && r.offset().isConstant()
        && r.offset().constant() >= kernel.scratchStart();
  }

  /** {@code g} with its reads of r replaced by a negation of q, computed first. */
  private static Fused negating(Fused g, Region r, Region q) {
    int next = 0;
    for (LaneInstr li : g.body()) {
      if (li instanceof LaneAssign as) {
        next = Math.max(next, as.target().id() + 1);
      }
    }
    Lane y = new Lane(next);
    List<LaneInstr> out = new ArrayList<>();
    out.add(new LaneAssign(y, Op.NEG, new int[0], List.of(new At(q))));
    for (LaneInstr li : g.body()) {
      out.add(replace(li, r, y));
    }
    return new Fused(g.length(), out);
  }

  private static LaneInstr replace(LaneInstr li, Region r, Lane y) {
    if (li instanceof LaneAssign as) {
      List<LaneOperand> args = new ArrayList<>();
      for (LaneOperand o : as.args()) {
        args.add(o instanceof At at && at.region().equals(r) ? y : o);
      }
      return new LaneAssign(as.target(), as.op(), as.attrs(), args);
    } else if (li instanceof LaneWrite w) {
      return w.value() instanceof At at && at.region().equals(r) ? new LaneWrite(w.target(), y) : w;
    }
    LaneSum s = (LaneSum) li;
    return s.value() instanceof At at && at.region().equals(r) ? new LaneSum(s.accumulator(), y, s.inLanes()) : s;
  }

  private static Fused withoutWrite(Fused f, LaneWrite write) {
    List<LaneInstr> out = new ArrayList<>(f.body());
    out.remove(write);
    return new Fused(f.length(), out);
  }

  private List<Element> elementsRead(Instr instr) {
    List<Element> known = elementsRead.get(instr);
    if (known == null) {
      known = new ArrayList<>();
      for (Kernel.Operand o : Kernel.scalarsRead(instr)) {
        if (o instanceof Element e) {
          known.add(e);
        }
      }
      elementsRead.put(instr, known);
    }
    return known;
  }

  private List<Region> regionsRead(Fused g) {
    return regionsRead.computeIfAbsent(g, Fused::regionsRead);
  }

  /** Instructions whose every read and write this pass sees. */
  private static boolean known(Instr instr) {
    return instr instanceof Fused || instr instanceof Loop || instr instanceof Move || instr instanceof Reduce
        || instr instanceof Assign || instr instanceof Store || instr instanceof Return;
  }

  /** Whether every read of {@code g} that touches r reads r itself, element i at i. */
  private boolean readsOnlyAsItself(Fused g, Region r, Lin length) {
    return onlyAsItself(regionsRead(g), g.length(), r, length);
  }

  /** Whether every one of {@code reads} (of {@code readLength} elements) that touches r is r itself. */
  private boolean onlyAsItself(List<Region> reads, Lin readLength, Region r, Lin length) {
    for (Region read : reads) {
      if (!read.equals(r) && overlaps(read, readLength, r, length)) {
        return false;
      }
    }
    return true;
  }

  /** Whether one of {@code reads} (of {@code readLength} elements) touches r. */
  private boolean anyOverlaps(List<Region> reads, Lin readLength, Region r, Lin length) {
    for (Region read : reads) {
      if (overlaps(read, readLength, r, length)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code instr} reads an element of r, as a vector or as a scalar. */
  private boolean reads(Instr instr, Region r, Lin length) {
    for (Element e : elementsRead(instr)) {
      if (inside(e, r, length)) {
        return true;
      }
    }
    if (instr instanceof Fused g) {
      return anyOverlaps(regionsRead(g), g.length(), r, length);
    } else if (instr instanceof Loop l) {
      return l.args().stream().anyMatch(v -> v instanceof Region read && overlaps(read, l.length(), r, length));
    } else if (instr instanceof Move m) {
      return m.source() instanceof Region read && overlaps(read, m.length(), r, length);
    } else if (instr instanceof Reduce red) {
      return overlaps(red.source(), red.length(), r, length);
    }
    return false;
  }

  private boolean writes(Instr instr, Region r, Lin length) {
    if (instr instanceof Fused g) {
      return g.body().stream().anyMatch(li -> li instanceof LaneWrite w && overlaps(w.target(), g.length(), r, length));
    } else if (instr instanceof Loop l) {
      return overlaps(l.target(), l.length(), r, length);
    } else if (instr instanceof Move m) {
      return overlaps(m.target(), m.length(), r, length);
    } else if (instr instanceof Store s) {
      return inside(s.target(), r, length);
    }
    return false;
  }

  /**
   * Whether two regions may share an element. Offsets with the same part known at run time only
   * (or none) and lengths fixed when compiled are compared exactly; a place of this kernel's fixed
   * scratch shares nothing with a place whose offset is known at run time only (those are
   * allocated outside it: a scan's rows, a data-sized value); any other two are assumed to overlap.
   */
  private boolean overlaps(Region a, Lin aLength, Region b, Lin bLength) {
    if (a.array() != b.array()) {
      return false;
    }
    Lin x = a.offset();
    Lin y = b.offset();
    if (!x.plus(-x.constantTerm()).equals(y.plus(-y.constantTerm()))) {
      return !(scratch(a) || scratch(b));
    }
    if (!aLength.isConstant() || !bLength.isConstant()) {
      return true; // a length known at run time only may reach anywhere from the same base
    }
    long aFirst = x.constantTerm();
    long bFirst = y.constantTerm();
    int aCount = aLength.constant();
    int bCount = bLength.constant();
    return aCount > 0 && bCount > 0 && aFirst < end(bFirst, bCount, b) && bFirst < end(aFirst, aCount, a);
  }

  private static long end(long first, int count, Region r) {
    return first + (count - 1L) * r.stride() + 1;
  }

  private boolean inside(Element e, Region r, Lin length) {
    return overlaps(new Region(e.array(), e.index()), Lin.of(1), r, length);
  }
}
