package io.flowc.compiler.backend;

import io.flowc.compiler.kernel.Kernel.Assign;
import io.flowc.compiler.kernel.Kernel.Const;
import io.flowc.compiler.kernel.Kernel.Fused;
import io.flowc.compiler.kernel.Kernel.Instr;
import io.flowc.compiler.kernel.Kernel.Invariant;
import io.flowc.compiler.kernel.Kernel.LaneAssign;
import io.flowc.compiler.kernel.Kernel.LaneInstr;
import io.flowc.compiler.kernel.Kernel.LaneOperand;
import io.flowc.compiler.kernel.Kernel.LaneSum;
import io.flowc.compiler.kernel.Kernel.LaneWrite;
import io.flowc.compiler.kernel.Kernel.Loop;
import io.flowc.compiler.kernel.Kernel.Move;
import io.flowc.compiler.kernel.Kernel.Operand;
import io.flowc.compiler.kernel.Kernel.Return;
import io.flowc.compiler.kernel.Kernel.Splat;
import io.flowc.compiler.kernel.Kernel.Store;
import io.flowc.compiler.kernel.Kernel.VecOperand;
import io.flowc.compiler.kernel.KernelSplitter;
import io.flowc.runtime.Constants;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where one generated class keeps its double constants. A class file's constant pool has at most
 * 65535 entries and a double takes two, so a class loads its first {@link #DIRECT} distinct
 * constants directly (ldc, as javac does for a literal) and reads any further ones from static
 * arrays of {@link #TABLE_LENGTH} values, each initialized from one string constant
 * ({@link Constants#decode}). Models of ordinary size have no tables, and their classes do not
 * change. Both backends build the same table from the same parts, so their classes agree.
 */
final class ConstantTable {
  /** Distinct doubles loaded directly: 2 pool entries each, leaving room for indices and methods. */
  static final int DIRECT = 16_000;
  /**
   * Values per array: 16 hex digits each keeps its string within a string constant's 65535
   * bytes, and its indices within sipush.
   */
  static final int TABLE_LENGTH = 4_000;

  /** Raw bits of each constant beyond the direct ones, to its position over all tables. */
  private final Map<Long, Integer> tabled;
  private final double[] values;

  private ConstantTable(Map<Long, Integer> tabled, double[] values) {
    this.tabled = tabled;
    this.values = values;
  }

  /** The table of a class holding these parts (in the order the class emits them). */
  static ConstantTable of(KernelSplitter.Split... splits) {
    return of(DIRECT, splits);
  }

  /** As {@link #of(KernelSplitter.Split...)}, loading the first {@code direct} constants directly. */
  static ConstantTable of(int direct, KernelSplitter.Split... splits) {
    Map<Long, Double> distinct = new LinkedHashMap<>();
    for (KernelSplitter.Split split : splits) {
      for (List<Instr> part : split.parts()) {
        for (Instr instr : part) {
          for (double c : constants(instr)) {
            if (!loadedWithoutPool(c)) {
              distinct.putIfAbsent(Double.doubleToRawLongBits(c), c);
            }
          }
        }
      }
    }
    Map<Long, Integer> tabled = new LinkedHashMap<>();
    List<Double> values = new ArrayList<>();
    int rank = 0;
    for (Map.Entry<Long, Double> e : distinct.entrySet()) {
      if (rank++ >= direct) {
        tabled.put(e.getKey(), values.size());
        values.add(e.getValue());
      }
    }
    return new ConstantTable(tabled, values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** 0.0 and 1.0 have instructions of their own (dconst). */
  private static boolean loadedWithoutPool(double c) {
    return Double.doubleToRawLongBits(c) == 0L || c == 1.0;
  }

  /** Whether {@code c} is read from a table rather than loaded directly. */
  boolean isTabled(double c) {
    return tabled.containsKey(Double.doubleToRawLongBits(c));
  }

  /** The array holding a tabled constant. */
  int table(double c) {
    return tabled.get(Double.doubleToRawLongBits(c)) / TABLE_LENGTH;
  }

  /** A tabled constant's index in its array. */
  int index(double c) {
    return tabled.get(Double.doubleToRawLongBits(c)) % TABLE_LENGTH;
  }

  int tableCount() {
    return (values.length + TABLE_LENGTH - 1) / TABLE_LENGTH;
  }

  /** The static field of array {@code t}. */
  static String field(int t) {
    return "K" + t;
  }

  /** The string constant array {@code t} is decoded from. */
  String text(int t) {
    return Constants.encode(Arrays.copyOfRange(values, t * TABLE_LENGTH, Math.min(values.length, (t + 1) * TABLE_LENGTH)));
  }

  private static List<Double> constants(Instr instr) {
    List<Double> out = new ArrayList<>();
    if (instr instanceof Assign a) {
      a.args().forEach(o -> add(out, o));
    } else if (instr instanceof Loop l) {
      l.args().forEach(v -> add(out, v));
    } else if (instr instanceof Store s) {
      add(out, s.value());
    } else if (instr instanceof Move m) {
      add(out, m.source());
    } else if (instr instanceof Return r) {
      add(out, r.value());
    } else if (instr instanceof io.flowc.compiler.kernel.Kernel.Search se) {
      add(out, se.x());
    } else if (instr instanceof io.flowc.compiler.kernel.Kernel.Pick pk) {
      add(out, pk.index());
    } else if (instr instanceof io.flowc.compiler.kernel.Kernel.Put pt) {
      add(out, pt.value());
      add(out, pt.index());
    } else if (instr instanceof Fused f) {
      for (LaneInstr li : f.body()) {
        List<LaneOperand> operands = li instanceof LaneAssign a ? a.args()
            : List.of(li instanceof LaneWrite w ? w.value() : ((LaneSum) li).value());
        for (LaneOperand o : operands) {
          if (o instanceof Invariant inv) {
            add(out, inv.scalar());
          }
        }
      }
    }
    return out;
  }

  private static void add(List<Double> out, VecOperand v) {
    if (v instanceof Splat s) {
      add(out, s.scalar());
    }
  }

  private static void add(List<Double> out, Operand o) {
    if (o instanceof Const c) {
      out.add(c.value());
    }
  }
}
