package io.flowc.compiler.ir;

import io.flowc.runtime.DenseMatrices;
import io.flowc.runtime.MathFunctions;
import io.flowc.runtime.Sums;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates an {@link IrFunction} on doubles, node by node in topological order. It is the
 * semantics the code generators must reproduce, and what tests compare with the interpreter.
 */
public final class IrEvaluator {
  private IrEvaluator() {}

  /** Every output's value at the flat point z (scalars as arrays of one element). */
  public static Map<String, double[]> evaluate(IrFunction f, double[] z) {
    return evaluate(f, z, null);
  }

  /** As {@link #evaluate(IrFunction, double[])}, with the data region {@code data} for the DATA nodes. */
  public static Map<String, double[]> evaluate(IrFunction f, double[] z, double[] data) {
    double[][] values = nodeValues(f, z, data);
    Map<String, double[]> out = new LinkedHashMap<>();
    for (IrFunction.Output o : f.outputs()) {
      out.put(o.name(), values[o.node().id()].clone());
    }
    return out;
  }

  /** The value of every live node of {@code f} at z, by node id. */
  private static double[][] nodeValues(IrFunction f, double[] z, double[] data) {
    if (z.length != f.dimension()) {
      throw new IllegalArgumentException("expected " + f.dimension() + " values, got " + z.length);
    }
    double[][] values = new double[f.graph().size()][];
    for (Node in : f.inputs()) {
      int offset = f.offsetOf(in);
      values[in.id()] = Arrays.copyOfRange(z, offset, offset + in.shape().size());
    }
    for (Node n : f.liveNodes()) {
      if (n.op() == Op.DATA) {
        if (data == null) {
          throw new IllegalStateException("data " + n.name() + " has no value");
        }
        int from = n.attr(0);
        int length = n.shape().isDynamic() ? length(n.shape(), data) : n.shape().size();
        if (n.shape().isDynamic()) {
          from = (int) data[n.attr(0)] + n.attr(1) * length;
        }
        values[n.id()] = Arrays.copyOfRange(data, from, from + length);
      } else if (values[n.id()] == null) {
        values[n.id()] = evaluate(n, values, data);
      }
    }
    return values;
  }

  /** The length of a dynamic shape: its size's value in the data region. */
  private static int length(Shape shape, double[] data) {
    return (int) data[shape.sizeSlot()];
  }

  private static double[] evaluate(Node n, double[][] values, double[] data) {
    Op op = n.op();
    List<Node> args = n.args();
    double[] a = args.isEmpty() ? null : values[args.get(0).id()];
    switch (op.kind) {
      case LEAF -> {
        if (op == Op.CONST) {
          return new double[] {n.value()};
        }
        throw new IllegalStateException("input " + n.name() + " has no value");
      }
      case ELEMENTWISE -> {
        int size = a.length;
        double[] out = new double[size];
        double[] b = args.size() > 1 ? values[args.get(1).id()] : null;
        double[] c = args.size() > 2 ? values[args.get(2).id()] : null;
        for (int i = 0; i < size; i++) {
          out[i] = switch (args.size()) {
            case 1 -> op.apply1(a[i], n);
            case 2 -> op.apply2(a[i], b[i]);
            default -> op.apply3(a[i], b[i], c[i]);
          };
        }
        return out;
      }
      default -> {
        return structural(n, values, a, data);
      }
    }
  }

  /** MATVEC, MATVECT and OUTER, each sum accumulated from its first term in ascending order (see {@link Op#MATVEC}). */
  private static double[] linearAlgebra(Node n, double[] a, double[] b) {
    Shape shape = n.op() == Op.OUTER ? n.shape() : n.arg(0).shape();
    int rows = shape.rows();
    int cols = shape.cols();
    switch (n.op()) {
      case MATVEC -> {
        double[] y = new double[rows];
        for (int i = 0; i < rows; i++) {
          double acc = a[i * cols] * b[0];
          for (int j = 1; j < cols; j++) {
            acc += a[i * cols + j] * b[j];
          }
          y[i] = acc;
        }
        return y;
      }
      case MATVECT -> {
        double[] x = new double[cols];
        for (int j = 0; j < cols; j++) {
          double acc = a[j] * b[0];
          for (int i = 1; i < rows; i++) {
            acc += a[i * cols + j] * b[i];
          }
          x[j] = acc;
        }
        return x;
      }
      default -> {
        double[] m = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
          for (int j = 0; j < cols; j++) {
            m[i * cols + j] = a[i] * b[j];
          }
        }
        return m;
      }
    }
  }

  /** The elements a dense op's routine writes: its value, then (log-determinants) its scratch space. */
  public static int denseLength(Node n) {
    int rows = n.arg(0).shape().rows();
    return switch (n.op()) {
      case LOG_ABS_DET -> DenseMatrices.logAbsDeterminantLength(rows);
      case LOG_ABS_DET_ADJOINT -> DenseMatrices.logAbsDeterminantAdjointLength(rows);
      default -> n.shape().size();
    };
  }

  /** The dense linear-algebra ops, by the routines generated code calls ({@link DenseMatrices}). */
  static void dense(Node n, double[] out, double[] a, double[] b) {
    Shape s = n.arg(0).shape();
    switch (n.op()) {
      case CHOLESKY -> DenseMatrices.cholesky(out, 0, a, 0, s.rows());
      case CHOLESKY_ADJOINT -> DenseMatrices.choleskyAdjoint(out, 0, a, 0, b, 0, s.rows());
      case TRISOLVE -> DenseMatrices.triangularSolve(out, 0, a, 0, b, 0, s.rows(), n.attr(0));
      case MATMUL -> {
        int k = n.attr(0) == 0 ? s.cols() : s.rows();
        DenseMatrices.multiply(out, 0, a, 0, b, 0, n.shape().rows(), k, n.shape().cols(), n.attr(0), n.attr(1));
      }
      case TRANSPOSE -> DenseMatrices.transpose(out, 0, a, 0, s.rows(), s.cols());
      case LOG_ABS_DET -> DenseMatrices.logAbsDeterminant(out, 0, a, 0, s.rows());
      case LOG_ABS_DET_ADJOINT -> DenseMatrices.logAbsDeterminantAdjoint(out, 0, a, 0, b, 0, s.rows());
      default -> throw new IllegalArgumentException(n.op() + " is not a dense linear-algebra op");
    }
  }

  /** A scan's value ({@link ScanBody}): the body evaluated once per iteration on its slices. */
  private static double[] scan(Node n, double[][] values, double[] data) {
    ScanBody body = n.scanBody();
    boolean runTime = ScanBody.hasRunTimeCount(n);
    int length = runTime ? ScanBody.count(n, (int) data[ScanBody.countSlot(n)]) : n.attr(0);
    boolean reverse = n.attr(1) != 0;
    boolean save = n.attr(2) != 0;
    IrFunction f = body.function();
    int carries = body.carries();
    int xs = body.xs();
    // a scan of run-time count keeps its saved rows beyond its shape (ScanBody.runTimeShape)
    double[] out = new double[runTime ? body.resultSize(length, save) : n.shape().size()];
    int[] stackedFrom = new int[xs];
    for (int j = 0; j < xs && runTime; j++) {
      stackedFrom[j] = ScanBody.stackedOffset(n, j, length);
    }
    double[] point = new double[f.dimension()];
    int[] inputOffset = new int[f.inputs().size()];
    for (int k = 0; k < inputOffset.length; k++) {
      inputOffset[k] = f.offsetOf(f.inputs().get(k));
    }
    for (int k = 0; k < inputOffset.length; k++) {
      boolean stacked = k >= carries && k < carries + xs;
      if (!stacked) {
        double[] v = values[n.arg(k).id()];
        System.arraycopy(v, 0, point, inputOffset[k], v.length);
      }
    }
    for (int step = 0; step < length; step++) {
      int t = reverse ? length - 1 - step : step;
      for (int i = 0; i < carries; i++) {
        int size = body.carryShape(i).size();
        if (save) {
          System.arraycopy(point, inputOffset[i], out, body.savedOffset(i, length) + t * size, size);
        }
      }
      for (int j = 0; j < xs; j++) {
        int size = body.xShape(j).size();
        System.arraycopy(values[n.arg(carries + j).id()], stackedFrom[j] + t * size, point, inputOffset[carries + j], size);
      }
      double[][] result = nodeValues(f, point, data);
      List<IrFunction.Output> outputs = f.outputs();
      for (int i = 0; i < carries; i++) {
        double[] v = result[outputs.get(i).node().id()];
        System.arraycopy(v, 0, point, inputOffset[i], v.length);
      }
      for (int j = 0; j < body.ys(); j++) {
        double[] v = result[outputs.get(carries + j).node().id()];
        System.arraycopy(v, 0, out, body.yOffset(j, length) + t * v.length, v.length);
      }
    }
    for (int i = 0; i < carries; i++) {
      int size = body.carryShape(i).size();
      System.arraycopy(point, inputOffset[i], out, body.finalCarryOffset(i), size);
      if (save) {
        System.arraycopy(point, inputOffset[i], out, body.savedOffset(i, length) + length * size, size);
      }
    }
    return out;
  }

  /** SEARCH's bin: the last k in 1..n-2 with knots[k] <= x, else 0 (see {@link Op#SEARCH}). */
  static double search(double[] knots, double x) {
    int k = 0;
    for (int j = 1; j < knots.length - 1; j++) {
      if (x >= knots[j]) {
        k = j;
      }
    }
    return k;
  }

  private static double[] structural(Node n, double[][] values, double[] a, double[] data) {
    switch (n.op()) {
      case SUM -> {
        return new double[] {Graph.inOrder(n) ? Sums.inOrder(a) : Sums.sum(a)};
      }
      case LOGSUMEXP -> {
        return new double[] {MathFunctions.logsumexp(a)};
      }
      case INDEX -> {
        return new double[] {a[n.attr(0)]};
      }
      case GATHER -> {
        double[] idx = values[n.arg(1).id()];
        double[] out = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
          out[i] = a[(int) idx[i] + n.attr(0)];
        }
        return out;
      }
      case SCATTER -> {
        double[] idx = values[n.arg(1).id()];
        double[] out = new double[n.attr(1)];
        for (int i = 0; i < idx.length; i++) {
          out[(int) idx[i] + n.attr(0)] += a[i];
        }
        return out;
      }
      case SLICE -> {
        return Arrays.copyOfRange(a, n.attr(0), n.attr(0) + n.attr(1));
      }
      case EMBED -> {
        double[] out = new double[n.attr(1)];
        System.arraycopy(a, 0, out, n.attr(0), a.length);
        return out;
      }
      case BROADCAST -> {
        double[] out = new double[n.shape().isDynamic() ? length(n.shape(), data) : n.shape().size()];
        Arrays.fill(out, a[0]);
        return out;
      }
      case CONCAT -> {
        double[] out = new double[n.shape().size()];
        int offset = 0;
        for (Node arg : n.args()) {
          double[] v = values[arg.id()];
          System.arraycopy(v, 0, out, offset, v.length);
          offset += v.length;
        }
        return out;
      }
      case MATVEC, MATVECT, OUTER -> {
        return linearAlgebra(n, a, values[n.arg(1).id()]);
      }
      case PLACE -> {
        double[] out = new double[n.shape().size()];
        for (int t = 2; t < n.attrCount(); t++) {
          out[n.attr(t)] = a[t - 2];
        }
        return out;
      }
      case RESHAPE -> {
        return a.clone();
      }
      case TAKE -> {
        double[] out = new double[n.attrCount()];
        for (int t = 0; t < out.length; t++) {
          out[t] = a[n.attr(t)];
        }
        return out;
      }
      case CUMSUM -> {
        double[] out = a.clone();
        for (int k = 1; k < out.length; k++) {
          out[k] = out[k - 1] + a[k];
        }
        return out;
      }
      case REVCUMSUM -> {
        double[] out = a.clone();
        for (int k = out.length - 2; k >= 0; k--) {
          out[k] = out[k + 1] + a[k];
        }
        return out;
      }
      case SEARCH -> {
        return new double[] {search(a, values[n.arg(1).id()][0])};
      }
      case PICK -> {
        return new double[] {a[(int) values[n.arg(1).id()][0]]};
      }
      case CHOLESKY, CHOLESKY_ADJOINT, TRISOLVE, MATMUL, TRANSPOSE, LOG_ABS_DET, LOG_ABS_DET_ADJOINT -> {
        double[] out = new double[denseLength(n)];
        double[] b = n.arity() > 1 ? values[n.arg(1).id()] : null;
        dense(n, out, a, b);
        return out.length == n.shape().size() ? out : Arrays.copyOf(out, n.shape().size());
      }
      case SCAN -> {
        return scan(n, values, data);
      }
      case PUT -> {
        double[] out = new double[n.attr(0)];
        out[(int) values[n.arg(1).id()][0]] = a[0];
        return out;
      }
      default -> throw new IllegalStateException("no evaluator for " + n.op());
    }
  }
}
