package io.flowc.compiler.kernel;

import io.flowc.compiler.ir.Op;
import io.flowc.compiler.kernel.Kernel.Array;
import io.flowc.compiler.kernel.Kernel.Assign;
import io.flowc.compiler.kernel.Kernel.Const;
import io.flowc.compiler.kernel.Kernel.At;
import io.flowc.compiler.kernel.Kernel.Element;
import io.flowc.compiler.kernel.Kernel.Fused;
import io.flowc.compiler.kernel.Kernel.Invariant;
import io.flowc.compiler.kernel.Kernel.Lane;
import io.flowc.compiler.kernel.Kernel.LaneAssign;
import io.flowc.compiler.kernel.Kernel.LaneInstr;
import io.flowc.compiler.kernel.Kernel.LaneOperand;
import io.flowc.compiler.kernel.Kernel.LaneSum;
import io.flowc.compiler.kernel.Kernel.LaneWrite;
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
import io.flowc.runtime.DenseMatrices;
import io.flowc.runtime.MathFunctions;
import io.flowc.runtime.Sums;
import java.util.HashMap;
import java.util.Map;

/** Runs a {@link Kernel} directly: the meaning every backend's code must have, for tests. */
public final class KernelInterpreter {
  private final Kernel kernel;
  private double[] z;
  private double[] grad;
  private double[] work;
  private double[] eps;
  private int base;
  private double[] temps;

  public KernelInterpreter(Kernel kernel) {
    this.kernel = kernel;
  }

  /** Runs the kernel at z; the gradient (if the kernel has one) goes to {@code grad}. */
  public double run(double[] z, double[] grad) {
    return run(z, grad, new double[kernel.workspaceSize()], null, 0);
  }

  /** Runs the kernel with every array a method of a generated class receives. */
  public double run(double[] z, double[] grad, double[] work, double[] eps, int base) {
    this.z = z;
    this.grad = grad;
    this.work = work;
    this.eps = eps;
    this.base = base;
    this.temps = new double[kernel.tempCount()];
    if (runAll(kernel.body())) {
      return returned;
    }
    throw new IllegalStateException("kernel without a return");
  }

  /** The value of the Return that ended {@link #runAll}. */
  private double returned;

  /** Runs instructions in order; true if a Return ended them ({@link #returned} holds its value). */
  private boolean runAll(java.util.List<Instr> instrs) {
    for (Instr instr : instrs) {
      if (instr instanceof Assign a) {
        temps[a.target().id()] = apply(a.op(), a.attrs(), a.args().stream().mapToDouble(this::read).toArray());
      } else if (instr instanceof Loop l) {
        double[] x = new double[l.args().size()];
        for (int i = 0; i < l.length().evaluate(work); i++) {
          for (int k = 0; k < x.length; k++) {
            x[k] = read(l.args().get(k), i);
          }
          write(l.target(), i, apply(l.op(), l.attrs(), x));
        }
      } else if (instr instanceof Reduce r) {
        double[] source = new double[r.length().evaluate(work)];
        for (int i = 0; i < source.length; i++) {
          source[i] = read(r.source(), i);
        }
        double value;
        if (r.op() == Op.SUM) {
          value = r.inLanes() ? Sums.sum(source) : Sums.inOrder(source);
        } else {
          value = MathFunctions.logsumexp(source);
        }
        temps[r.target().id()] = value;
      } else if (instr instanceof Store s) {
        array(s.target().array())[index(s.target().array(), s.target().index())] = read(s.value());
      } else if (instr instanceof Move m) {
        for (int i = 0; i < m.length().evaluate(work); i++) {
          write(m.target(), i, read(m.source(), i));
        }
      } else if (instr instanceof Fused f) {
        runFused(f);
      } else if (instr instanceof Kernel.Gather g) {
        for (int i = 0; i < g.length().evaluate(work); i++) {
          write(g.target(), i, read(g.source(), (int) read(g.index(), i) + g.shift()));
        }
      } else if (instr instanceof Kernel.Scatter s) {
        for (int i = 0; i < s.targetLength(); i++) {
          write(s.target(), i, 0.0);
        }
        for (int i = 0; i < s.length().evaluate(work); i++) {
          int at = (int) read(s.index(), i) + s.shift();
          write(s.target(), at, read(s.target(), at) + read(s.source(), i));
        }
      } else if (instr instanceof Return r) {
        returned = read(r.value());
        return true;
      } else if (instr instanceof Kernel.Repeat rp) {
        repeat(rp);
      } else if (instr instanceof Kernel.Call call) {
        if (runAll(call.body())) {
          throw new IllegalStateException("a return inside a called part");
        }
      } else {
        runMatrixInstr(instr);
      }
    }
    return false;
  }

  private void repeat(Kernel.Repeat rp) {
    int count = rp.count().evaluate(work);
    for (int step = 0; step < count; step++) {
      int t = rp.slice(step, count);
      work[rp.indexSlot()] = t;
      copy(rp.before(), t);
      if (runAll(rp.body())) {
        throw new IllegalStateException("a return inside a loop body");
      }
      copy(rp.after(), t);
    }
  }

  private void copy(java.util.List<Kernel.Copy> copies, int t) {
    for (Kernel.Copy c : copies) {
      for (int i = 0; i < c.size(); i++) {
        if (c.intoFrame()) {
          write(c.frame(), i, read(c.stacked(), t * c.size() + i));
        } else {
          write(c.stacked(), t * c.size() + i, read(c.frame(), i));
        }
      }
    }
  }

  /** The instructions of matrices and neural flows, in the order their backends' loops run. */
  private void runMatrixInstr(Instr instr) {
    if (instr instanceof Kernel.MatVec m) {
      int rows = m.rows();
      int cols = m.cols();
      if (!m.transposed()) {
        for (int i = 0; i < rows; i++) {
          double acc = at(m.matrix(), i * cols) * at(m.vector(), 0);
          for (int j = 1; j < cols; j++) {
            acc += at(m.matrix(), i * cols + j) * at(m.vector(), j);
          }
          set(m.target(), i, acc);
        }
      } else {
        for (int j = 0; j < cols; j++) {
          set(m.target(), j, at(m.matrix(), j) * at(m.vector(), 0));
        }
        for (int i = 1; i < rows; i++) {
          for (int j = 0; j < cols; j++) {
            set(m.target(), j, at(m.target(), j) + at(m.matrix(), i * cols + j) * at(m.vector(), i));
          }
        }
      }
    } else if (instr instanceof Kernel.BlockMatVec m) {
      int n = m.count().evaluate(work);
      for (int o = 0; o < m.targetLength(); o++) {
        int first = o * m.outputStep();
        for (int b = 0; b < n; b++) {
          double acc = at(m.matrix(), first) * atDraw(m.vector(), 0, b);
          for (int k = 1; k < m.vectorLength(); k++) {
            acc += at(m.matrix(), first + k * m.termStep()) * atDraw(m.vector(), k, b);
          }
          array(m.target().array())[index(m.target().array(), m.target().offset().evaluate(work)
              + o * m.target().stride() + b)] = acc;
        }
      }
    } else if (instr instanceof Kernel.BlockOuterSum os) {
      int n = os.count().evaluate(work);
      for (int i = 0; i < os.rows(); i++) {
        for (int j = 0; j < os.cols(); j++) {
          double acc = at(os.accumulator(), i * os.cols() + j);
          for (int b = 0; b < n; b++) {
            boolean counts = os.mask() == null || atDraw(os.mask(), 0, b) != 0.0;
            acc += counts ? atDraw(os.left(), i, b) * atDraw(os.right(), j, b) : 0.0;
          }
          set(os.accumulator(), i * os.cols() + j, acc);
        }
      }
    } else if (instr instanceof Kernel.Dense d) {
      dense(d);
    } else if (instr instanceof Kernel.Outer o) {
      for (int i = 0; i < o.rows(); i++) {
        for (int j = 0; j < o.cols(); j++) {
          set(o.target(), i * o.cols() + j, at(o.left(), i) * at(o.right(), j));
        }
      }
    } else if (instr instanceof Kernel.Place p) {
      for (int t = 0; t < p.positions().length; t++) {
        set(p.target(), p.positions()[t], at(p.source(), t));
      }
    } else if (instr instanceof Kernel.Take t) {
      for (int k = 0; k < t.positions().length; k++) {
        set(t.target(), k, at(t.source(), t.positions()[k]));
      }
    } else if (instr instanceof Kernel.Scan s) {
      int n = s.length();
      int first = s.reverse() ? n - 1 : 0;
      int step = s.reverse() ? -1 : 1;
      set(s.target(), first, at(s.source(), first));
      for (int k = first + step; k >= 0 && k < n; k += step) {
        set(s.target(), k, at(s.target(), k - step) + at(s.source(), k));
      }
    } else if (instr instanceof Kernel.Search s) {
      double x = read(s.x());
      double k = 0;
      for (int j = 1; j < s.count() - 1; j++) {
        if (x >= at(s.knots(), j)) {
          k = j;
        }
      }
      temps[s.target().id()] = k;
    } else if (instr instanceof Kernel.Pick p) {
      temps[p.target().id()] = at(p.source(), inRange((int) read(p.index()), p.length()));
    } else if (instr instanceof Kernel.Put p) {
      set(p.target(), inRange((int) read(p.index()), p.length()), read(p.value()));
    } else {
      throw new IllegalStateException("unknown instruction " + instr);
    }
  }

  /** A computed index, checked here (generated code relies on the IR's construction instead). */
  private static int inRange(int index, int length) {
    if (index < 0 || index >= length) {
      throw new IllegalStateException("index " + index + " out of [0, " + length + ")");
    }
    return index;
  }

  /** A runtime routine on the arrays the regions lie in, as generated code calls it. */
  private void dense(Kernel.Dense d) {
    double[] t = array(d.target().array());
    int to = index(d.target(), 0);
    double[] a = array(d.args().get(0).array());
    int ao = index(d.args().get(0), 0);
    double[] b = d.args().size() > 1 ? array(d.args().get(1).array()) : null;
    int bo = d.args().size() > 1 ? index(d.args().get(1), 0) : 0;
    int[] k = d.ints();
    switch (d.routine()) {
      case "cholesky" -> DenseMatrices.cholesky(t, to, a, ao, k[0]);
      case "choleskyAdjoint" -> DenseMatrices.choleskyAdjoint(t, to, a, ao, b, bo, k[0]);
      case "triangularSolve" -> DenseMatrices.triangularSolve(t, to, a, ao, b, bo, k[0], k[1]);
      case "multiply" -> DenseMatrices.multiply(t, to, a, ao, b, bo, k[0], k[1], k[2], k[3], k[4]);
      case "transpose" -> DenseMatrices.transpose(t, to, a, ao, k[0], k[1]);
      case "logAbsDeterminant" -> DenseMatrices.logAbsDeterminant(t, to, a, ao, k[0]);
      case "logAbsDeterminantAdjoint" -> DenseMatrices.logAbsDeterminantAdjoint(t, to, a, ao, b, bo, k[0]);
      default -> throw new IllegalStateException("no routine " + d.routine());
    }
  }

  /** Element i of a region. */
  private double at(Region r, int i) {
    return array(r.array())[index(r.array(), r.offset().evaluate(work) + i * r.stride())];
  }

  /** Draw b's element i of a region of rows (a block's values, see {@link Kernel.BlockMatVec}). */
  private double atDraw(Region r, int i, int b) {
    return array(r.array())[index(r.array(), r.offset().evaluate(work) + i * r.stride() + b)];
  }

  private void set(Region r, int i, double value) {
    array(r.array())[index(r.array(), r.offset().evaluate(work) + i * r.stride())] = value;
  }

  private void runFused(Fused f) {
    int laneCount = 0;
    int length = f.length().evaluate(work);
    // a sum in lanes: its terms, summed by Sums after the loop
    Map<Temp, double[]> terms = new HashMap<>();
    for (LaneInstr li : f.body()) {
      if (li instanceof LaneAssign a) {
        laneCount = Math.max(laneCount, a.target().id() + 1);
      } else if (li instanceof LaneSum sum) {
        temps[sum.accumulator().id()] = 0;
        if (sum.inLanes()) {
          terms.put(sum.accumulator(), new double[length]);
        }
      }
    }
    double[] lanes = new double[laneCount];
    for (int i = 0; i < length; i++) {
      for (LaneInstr li : f.body()) {
        if (li instanceof LaneAssign a) {
          double[] x = new double[a.args().size()];
          for (int k = 0; k < x.length; k++) {
            x[k] = read(a.args().get(k), i, lanes);
          }
          lanes[a.target().id()] = apply(a.op(), a.attrs(), x);
        } else if (li instanceof LaneWrite w) {
          write(w.target(), i, read(w.value(), i, lanes));
        } else {
          LaneSum sum = (LaneSum) li;
          double term = read(sum.value(), i, lanes);
          if (sum.inLanes()) {
            terms.get(sum.accumulator())[i] = term;
          } else {
            temps[sum.accumulator().id()] += term;
          }
        }
      }
    }
    terms.forEach((accumulator, values) -> temps[accumulator.id()] = Sums.sum(values));
  }

  private double read(LaneOperand o, int i, double[] lanes) {
    if (o instanceof Lane l) {
      return lanes[l.id()];
    } else if (o instanceof At at) {
      return read(at.region(), i);
    }
    return read(((Invariant) o).scalar());
  }

  static double apply(Op op, int[] attrs, double[] x) {
    return switch (x.length) {
      case 1 -> op == Op.POLYGAMMA ? MathFunctions.polygamma(attrs[0], x[0]) : op.apply1(x[0]);
      case 2 -> op.apply2(x[0], x[1]);
      default -> op.apply3(x[0], x[1], x[2]);
    };
  }

  /** EPS and DRAWS indices count from the method's base. */
  private int index(Array a, int index) {
    return a.fromBase() ? base + index : index;
  }

  /** The array index of element i of a region. */
  private int index(Region r, int i) {
    return index(r.array(), r.offset().evaluate(work) + i * r.stride());
  }

  private void write(Region r, int i, double value) {
    array(r.array())[index(r, i)] = value;
  }

  private double[] array(Array a) {
    return switch (a) {
      case Z -> z;
      case GRAD -> grad;
      case WORK, DRAWS -> work;
      case EPS -> eps;
    };
  }

  private double read(Operand o) {
    if (o instanceof Temp t) {
      return temps[t.id()];
    } else if (o instanceof Const c) {
      return c.value();
    }
    Element e = (Element) o;
    return array(e.array())[index(e.array(), e.index())];
  }

  private double read(VecOperand v, int i) {
    if (v instanceof Splat s) {
      return read(s.scalar());
    }
    Region r = (Region) v;
    return array(r.array())[index(r, i)];
  }
}
