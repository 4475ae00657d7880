package io.flowc.compiler.kernel;

import io.flowc.compiler.ir.Op;
import io.flowc.compiler.kernel.Kernel.Array;
import io.flowc.compiler.kernel.Kernel.Assign;
import io.flowc.compiler.kernel.Kernel.Element;
import io.flowc.compiler.kernel.Kernel.Fused;
import io.flowc.compiler.kernel.Kernel.LaneAssign;
import io.flowc.compiler.kernel.Kernel.LaneInstr;
import io.flowc.compiler.kernel.Kernel.LaneSum;
import io.flowc.compiler.kernel.Kernel.Instr;
import io.flowc.compiler.kernel.Kernel.Loop;
import io.flowc.compiler.kernel.Kernel.Move;
import io.flowc.compiler.kernel.Kernel.Operand;
import io.flowc.compiler.kernel.Kernel.Reduce;
import io.flowc.compiler.kernel.Kernel.Store;
import io.flowc.compiler.kernel.Kernel.Temp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Cuts a kernel into parts small enough for HotSpot to compile: it leaves methods above 8000
 * bytes of bytecode interpreted ({@code -XX:-DontCompileHugeMethods}). Each part becomes one
 * method; a temporary defined in one part and used in a later one is spilled to a workspace slot
 * after its definition and read from there. The split is the same for every backend, so their
 * classes have the same shape.
 */
public final class KernelSplitter {
  /**
   * Estimated bytecode bytes per method. The estimate is pessimistic (an operand load is counted
   * at its widest form), and tests read the real sizes back with ASM.
   */
  public static final int METHOD_BUDGET = 6000;

  /**
   * A sum's lanes beyond its one chain, each load and store at its widest: three more locals set
   * to 0.0, their rotation per term and the total (62 bytes), and for a length known at run time
   * only the loop that realigns the lanes after it (80 more).
   */
  private static int sumInLanes(Lin length) {
    if (!Kernel.sumsInLanes(length)) {
      return 0;
    }
    return length.isConstant() ? 62 : 62 + 80;
  }

  private KernelSplitter() {}

  /** A kernel cut into parts; only the last part returns. */
  public record Split(int workspaceSize, List<List<Instr>> parts) {}

  public static Split split(Kernel kernel) {
    // loop bodies too large for the method that holds the loop, or repeated work over elements,
    // go into methods of their own
    int[] workspace = {kernel.workspaceSize()};
    boolean runTimeSizes = readsRunTimeSizes(kernel);
    List<Instr> body = new ArrayList<>();
    for (Instr instr : kernel.body()) {
      body.add(instr instanceof Kernel.Repeat rp ? callsForBody(rp, workspace, runTimeSizes) : instr);
    }
    List<List<Instr>> parts = cut(body, runTimeSizes);
    if (parts.size() == 1) {
      return new Split(workspace[0], parts);
    }
    return spill(parts, workspace[0]);
  }

  /**
   * A loop whose body stays in the method holding the loop, or whose body is cut into
   * {@link Kernel.Call}s of methods of their own (a body too large for that method, or one that
   * {@link #ownMethod} picks), temporaries that cross from one to another spilled to the workspace
   * from {@code workspace[0]} on (advanced past them).
   */
  private static Kernel.Repeat callsForBody(Kernel.Repeat rp, int[] workspace, boolean runTimeSizes) {
    List<Instr> body = new ArrayList<>();
    for (Instr instr : rp.body()) {
      body.add(instr instanceof Kernel.Repeat inner ? callsForBody(inner, workspace, runTimeSizes) : instr);
    }
    Kernel.Repeat inLine = new Kernel.Repeat(rp.count(), rp.reverse(), rp.indexSlot(), rp.before(), body, rp.after());
    if (!ownMethod(rp, body) && estimate(inLine, runTimeSizes) <= METHOD_BUDGET) {
      return inLine;
    }
    Split pieces = spill(cut(body, runTimeSizes), workspace[0]);
    workspace[0] = pieces.workspaceSize();
    List<Instr> calls = new ArrayList<>();
    for (List<Instr> piece : pieces.parts()) {
      calls.add(new Kernel.Call(piece));
    }
    return new Kernel.Repeat(rp.count(), rp.reverse(), rp.indexSlot(), rp.before(), calls, rp.after());
  }

  /** Iterations from which a loop whose body loops over elements runs that body as a method of its own. */
  static final int OWN_METHOD_FROM = 16;

  /**
   * Whether a loop's body goes into a method of its own even when it would fit the loop's: a body
   * that loops over elements, repeated at least {@link #OWN_METHOD_FROM} times (W4's 100
   * reflections of 100 elements). HotSpot compiles a method once it has been called, or has looped,
   * often enough; the body's method is called once per iteration and gets C2's code within the
   * first few calls of the kernel, where the method holding the loop waited for hundreds of calls
   * or was compiled on stack replacement, once per hot loop, each taking C2's thread for 60 ms
   * (docs/performance.md, "Repeated flows as loops"). A body of scalar steps (a time series' recursion)
   * stays where it is: a call per iteration would cost as much as its work; and so do the batched
   * body's loops over a vector's elements, whose inner loops run over the block's draws.
   */
  private static boolean ownMethod(Kernel.Repeat rp, List<Instr> body) {
    return rp.count().isConstant() && rp.count().constant() >= OWN_METHOD_FROM
        && body.stream().anyMatch(KernelSplitter::loopsOverElements);
  }

  private static boolean loopsOverElements(Instr instr) {
    Lin length = instr instanceof Kernel.Loop l ? l.length()
        : instr instanceof Kernel.Reduce r ? r.length()
        : instr instanceof Kernel.Fused f ? f.length()
        : instr instanceof Kernel.Move m ? m.length()
        : null;
    return length != null && length.isConstant() && length.constant() >= OWN_METHOD_FROM;
  }

  /** Instructions in runs of at most {@link #METHOD_BUDGET} estimated bytes (an instruction larger alone). */
  private static List<List<Instr>> cut(List<Instr> body, boolean runTimeSizes) {
    List<List<Instr>> parts = new ArrayList<>();
    List<Instr> current = new ArrayList<>();
    int size = 0;
    for (Instr instr : body) {
      int cost = estimate(instr, runTimeSizes);
      if (!current.isEmpty() && size + cost > METHOD_BUDGET) {
        parts.add(current);
        current = new ArrayList<>();
        size = 0;
      }
      current.add(instr);
      size += cost;
    }
    parts.add(current);
    return parts;
  }

  /** Parts with each temporary read in a later part than the one assigning it spilled to a slot from {@code firstSlot} on. */
  private static Split spill(List<List<Instr>> parts, int firstSlot) {
    if (parts.size() == 1) {
      return new Split(firstSlot, parts); // one method: every temporary is read where it is assigned
    }
    // by temporary id in arrays, not maps: a fresh process runs this interpreted
    List<List<Temp>> written = new ArrayList<>();
    int maxId = -1;
    for (List<Instr> part : parts) {
      for (Instr instr : part) {
        List<Temp> w = Kernel.tempsWritten(instr);
        written.add(w);
        for (Temp t : w) {
          maxId = Math.max(maxId, t.id());
        }
      }
    }
    int[] definedIn = new int[maxId + 1];
    int k = 0;
    for (int p = 0; p < parts.size(); p++) {
      for (int i = 0; i < parts.get(p).size(); i++) {
        for (Temp t : written.get(k)) {
          definedIn[t.id()] = p;
        }
        k++;
      }
    }
    int[] slots = new int[maxId + 1];
    Arrays.fill(slots, -1);
    // the instructions that read a temporary of another part, which alone are rebuilt
    Set<Instr> readAcross = Collections.newSetFromMap(new IdentityHashMap<>());
    int workspace = firstSlot;
    for (int p = 0; p < parts.size(); p++) {
      for (Instr instr : parts.get(p)) {
        for (Temp t : Kernel.tempsRead(instr)) {
          if (definedIn[t.id()] != p) {
            readAcross.add(instr);
            if (slots[t.id()] < 0) {
              slots[t.id()] = workspace++;
            }
          }
        }
      }
    }
    List<List<Instr>> rewritten = new ArrayList<>();
    k = 0;
    for (int p = 0; p < parts.size(); p++) {
      int part = p;
      List<Instr> out = new ArrayList<>();
      for (Instr instr : parts.get(p)) {
        out.add(!readAcross.contains(instr) ? instr
            : rewrite(instr, t -> definedIn[t.id()] == part ? t : new Element(Array.WORK, slots[t.id()])));
        for (Temp t : written.get(k++)) {
          if (slots[t.id()] >= 0) {
            out.add(new Store(new Element(Array.WORK, slots[t.id()]), t));
          }
        }
      }
      rewritten.add(out);
    }
    return new Split(workspace, rewritten);
  }

  private interface TempMap {
    Operand map(Temp t);
  }

  /**
   * {@code instr} reading, for each temporary, what {@code f} gives; a loop's body, whose
   * temporaries are its own, stays as it is.
   */
  private static Instr rewrite(Instr instr, TempMap f) {
    if (instr instanceof Kernel.Repeat || instr instanceof Kernel.Call) {
      return instr;
    }
    return Kernel.rewrite(instr, new Kernel.Places() {
      @Override
      public Operand scalar(Operand o) {
        return o instanceof Temp t ? f.map(t) : o;
      }
    });
  }

  /**
   * A pessimistic guess of an instruction's bytecode size: an operand load at its widest (an
   * array element at an index needing ldc), a store with a wide local index, and the branches
   * of truth-valued ops and selects; for an instruction of a kernel that reads offsets or lengths
   * at run time ({@code runTimeSizes}, {@link #readsRunTimeSizes}) their loads too. A kernel that
   * reads none is not searched for them instruction by instruction (a fresh process runs this
   * interpreted, for every instruction).
   */
  static int estimate(Instr instr, boolean runTimeSizes) {
    // offsets and lengths read at run time: a load, a multiply and an add per region or bound
    int dynamic = !runTimeSizes || Kernel.linsRead(List.of(instr)).isEmpty() ? 0 : 8 * (regionCount(instr) + 1);
    return dynamic + fixedEstimate(instr, runTimeSizes);
  }

  /** Whether any instruction of {@code kernel} reads an offset or a length at run time. */
  static boolean readsRunTimeSizes(Kernel kernel) {
    return !Kernel.linsRead(kernel.body()).isEmpty();
  }

  private static int regionCount(Instr instr) {
    if (instr instanceof Loop l) {
      return 1 + l.args().size();
    } else if (instr instanceof Fused f) {
      return 2 * f.body().size();
    }
    return 3;
  }

  private static int fixedEstimate(Instr instr, boolean runTimeSizes) {
    if (instr instanceof Assign a) {
      return 16 + 8 * a.args().size() + (branches(a.op()) ? 56 : 4);
    } else if (instr instanceof Loop l) {
      return 48 + 12 * l.args().size() + (branches(l.op()) ? 56 : 4);
    } else if (instr instanceof Reduce r) {
      return 48 + (r.op() == Op.SUM && r.inLanes() ? sumInLanes(r.length()) : 0);
    } else if (instr instanceof Move) {
      return 40;
    } else if (instr instanceof Kernel.Gather || instr instanceof Kernel.Scatter) {
      return 96;
    } else if (instr instanceof Kernel.MatVec m) {
      return m.transposed() ? 200 : 520; // W x sums four rows side by side, then the rows left over
    } else if (instr instanceof Kernel.Outer) {
      return 160;
    } else if (instr instanceof Kernel.Dense d) {
      return 24 + 16 * (d.args().size() + 1) + 8 * d.ints().length; // array and offset per region, a call
    } else if (instr instanceof Kernel.BlockOuterSum) {
      return 160 + 120 * Kernel.BlockOuterSum.COLUMNS_PER_TRIP; // a trip of several columns, then those left over
    } else if (instr instanceof Kernel.BlockMatVec) {
      return 200 + 90 * Kernel.BlockMatVec.DRAWS_PER_TRIP; // a trip of several draws, then the draws left over
    } else if (instr instanceof Kernel.Place || instr instanceof Kernel.Take || instr instanceof Kernel.Scan
        || instr instanceof Kernel.Search) {
      return 96;
    } else if (instr instanceof Kernel.Pick || instr instanceof Kernel.Put) {
      return 48;
    } else if (instr instanceof Kernel.Call) {
      return 24;
    } else if (instr instanceof Kernel.Repeat rp) {
      // the counter and the slice index, a copy loop per slice, then the body in line
      int size = 48 + 56 * (rp.before().size() + rp.after().size());
      for (Instr inner : rp.body()) {
        size += estimate(inner, runTimeSizes);
      }
      return size;
    } else if (instr instanceof Fused f) {
      int size = 40;
      for (LaneInstr li : f.body()) {
        if (li instanceof LaneAssign a) {
          size += 16 + 12 * a.args().size() + (branches(a.op()) ? 56 : 4);
        } else {
          size += 24 + (li instanceof LaneSum sum && sum.inLanes() ? sumInLanes(f.length()) : 0);
        }
      }
      return size;
    }
    return 16;
  }

  private static boolean branches(io.flowc.compiler.ir.Op op) {
    return op.isBoolean() || op == io.flowc.compiler.ir.Op.SELECT;
  }
}
