package io.flowc.compiler.backend;

import io.flowc.compiler.ir.Op;
import io.flowc.compiler.kernel.Kernel;
import io.flowc.compiler.kernel.Kernel.At;
import io.flowc.compiler.kernel.Kernel.Fused;
import io.flowc.compiler.kernel.Kernel.Instr;
import io.flowc.compiler.kernel.Kernel.Invariant;
import io.flowc.compiler.kernel.Kernel.Lane;
import io.flowc.compiler.kernel.Kernel.LaneAssign;
import io.flowc.compiler.kernel.Kernel.LaneInstr;
import io.flowc.compiler.kernel.Kernel.LaneOperand;
import io.flowc.compiler.kernel.Kernel.LaneSum;
import io.flowc.compiler.kernel.Kernel.LaneWrite;
import io.flowc.compiler.kernel.Kernel.Region;
import io.flowc.compiler.kernel.Kernel.Splat;
import io.flowc.compiler.kernel.Kernel.VecOperand;
import io.flowc.compiler.kernel.Lin;
import io.flowc.runtime.Sums;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Which elementwise loops {@link BytecodeBackend} writes four elements a vector with {@code
 * jdk.incubator.vector} (docs/internals.md, "Vector loops"), with the bits of the scalar loop. A
 * loop qualifies when every operation in it is one the vector lanes compute exactly as Java's
 * scalar arithmetic does (+, -, *, /, negation: IEEE 754 operations, rounded once, never fused),
 * every array it touches is walked with stride 1, and every sum in it adds in the lanes of {@link
 * Sums}, whose lane j takes elements j, j + 4, j + 8, ..., as lane j of a vector of four does. A
 * loop with a call (exp, log, ...) stays scalar: the Vector API's functions are not {@link Math}'s
 * to the bit; so does a sum in one chain (across draws), and a loop that reads, less than four
 * elements away, an element it writes (four elements computed at once would see another value).
 */
public final class VectorLoops {
  /** Elements per vector: the lanes of {@link Sums}. */
  public static final int LANES = Sums.LANES;

  /**
   * Fewest elements of a loop of fixed length that runs in vectors: a shorter one spends more on
   * its vectors' set-up (broadcasts, sums taken apart into lanes) than it saves.
   */
  public static final int SHORTEST = 16;

  private static final Set<Op> EXACT = EnumSet.of(Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.NEG, Op.SQUARE);

  private VectorLoops() {}

  /**
   * The loop as a fused loop, if it is one that may run in vectors: an elementwise {@link
   * Kernel.Loop}, a {@link Kernel.Move}, a sum in lanes or a {@link Fused} loop; null otherwise.
   */
  public static Fused vectorizable(Instr instr) {
    Fused f = asFused(instr);
    return f != null && qualifies(f) ? f : null;
  }

  /** Whether any instruction of {@code body} (in scans and calls too) runs in vectors. */
  public static boolean any(List<Instr> body) {
    for (Instr instr : body) {
      if (vectorizable(instr) != null
          || instr instanceof Kernel.Repeat rp && any(rp.body())
          || instr instanceof Kernel.Call c && any(c.body())) {
        return true;
      }
    }
    return false;
  }

  private static Fused asFused(Instr instr) {
    if (instr instanceof Fused f) {
      return f;
    } else if (instr instanceof Kernel.Loop l) {
      List<LaneOperand> args = new ArrayList<>();
      for (VecOperand v : l.args()) {
        args.add(operand(v));
      }
      Lane lane = new Lane(0);
      return new Fused(l.length(), List.of(new LaneAssign(lane, l.op(), l.attrs(), args), new LaneWrite(l.target(), lane)));
    } else if (instr instanceof Kernel.Move m) {
      return new Fused(m.length(), List.of(new LaneWrite(m.target(), operand(m.source()))));
    } else if (instr instanceof Kernel.Reduce r && r.op() == Op.SUM && r.inLanes()) {
      return new Fused(r.length(), List.of(new LaneSum(r.target(), new At(r.source()), true)));
    }
    return null;
  }

  private static LaneOperand operand(VecOperand v) {
    return v instanceof Splat s ? new Invariant(s.scalar()) : new At((Region) v);
  }

  private static boolean qualifies(Fused f) {
    Lin length = f.length();
    if (length.isConstant() && length.constant() < SHORTEST) {
      return false;
    }
    List<Region> written = new ArrayList<>();
    List<Region> accessed = new ArrayList<>();
    for (LaneInstr li : f.body()) {
      List<LaneOperand> operands;
      if (li instanceof LaneAssign a) {
        if (!EXACT.contains(a.op())) {
          return false;
        }
        operands = a.args();
      } else if (li instanceof LaneWrite w) {
        written.add(w.target());
        accessed.add(w.target());
        operands = List.of(w.value());
      } else {
        LaneSum sum = (LaneSum) li;
        if (!sum.inLanes() || !Kernel.sumsInLanes(length)) {
          return false;
        }
        operands = List.of(sum.value());
      }
      for (LaneOperand o : operands) {
        if (o instanceof At at) {
          accessed.add(at.region());
        }
      }
    }
    for (Region r : accessed) {
      if (r.stride() != 1) {
        return false;
      }
    }
    for (Region w : written) {
      for (Region r : accessed) {
        if (nearby(w, r)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Whether two regions of one array start 1 to 3 elements apart (known from their offsets: the
   * same slots with the same coefficients). Other offsets of different form are other values, as
   * {@link io.flowc.compiler.kernel.LoopFusion} assumes when it fuses loops.
   */
  private static boolean nearby(Region a, Region b) {
    if (a.array() != b.array()) {
      return false;
    }
    Lin x = a.offset();
    Lin y = b.offset();
    if (!x.plus(-x.constantTerm()).equals(y.plus(-y.constantTerm()))) {
      return false;
    }
    int d = Math.abs(x.constantTerm() - y.constantTerm());
    return d > 0 && d < LANES;
  }
}
