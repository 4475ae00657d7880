package io.flowc.compiler.testing;

import io.flowc.compiler.frontend.Ast;
import io.flowc.compiler.frontend.Ast.Binary;
import io.flowc.compiler.frontend.Ast.Call;
import io.flowc.compiler.frontend.Ast.Conditional;
import io.flowc.compiler.frontend.Ast.Contribution;
import io.flowc.compiler.frontend.Ast.Expr;
import io.flowc.compiler.frontend.Ast.FnDecl;
import io.flowc.compiler.frontend.Ast.Ident;
import io.flowc.compiler.frontend.Ast.Index;
import io.flowc.compiler.frontend.Ast.LetDecl;
import io.flowc.compiler.frontend.Ast.Num;
import io.flowc.compiler.frontend.Ast.Statement;
import io.flowc.compiler.frontend.Ast.Unary;
import io.flowc.compiler.frontend.Ast.VectorLit;
import io.flowc.compiler.frontend.Builtin;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.MatrixFunctions;
import io.flowc.compiler.interp.ReferenceDensities;
import io.flowc.runtime.MathFunctions;
import io.flowc.runtime.data.DataLayout;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Forward-mode automatic differentiation of a checked model, written independently of the IR,
 * its derivative rules and the interpreter: it walks the syntax tree on dual numbers (a value
 * and its derivative along a direction t) and gives log p(z) and its directional derivative
 * grad log p(z) . t. Each operation carries its own derivative formula, written from calculus
 * (and where two forms exist, not the one the IR uses: tan' = 1/cos^2, tanh' = 1/cosh^2,
 * sigmoid' = sigmoid(x) sigmoid(-x), logit' = 1/p + 1/(1-p), logaddexp' = sigmoid(a - b)).
 *
 * <p>Values use the same library functions as the language's definition (Math and
 * MathFunctions), so they equal the interpreter's. At non-differentiable points it follows the
 * documented conventions: |x|' = +1 at 0, min and max follow their first argument on ties, ?:
 * follows the branch taken, comparisons have no derivative. A tangent that is exactly zero stays
 * zero (so constant subexpressions never turn an infinite derivative into NaN).
 */
public final class DualInterpreter {
  private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

  private final CheckedModel model;

  public DualInterpreter(CheckedModel model) {
    this.model = model;
  }

  /** log p(z) and its derivative along t. */
  public record Result(double logp, double derivative) {}

  public Result logpAndDerivative(double[] z, double[] t) {
    if (z.length != model.dimension() || t.length != model.dimension()) {
      throw new IllegalArgumentException("expected points of dimension " + model.dimension());
    }
    Map<String, Value> env = new HashMap<>();
    for (DataLayout.Variable v : model.dataLayout().variables()) {
      double[] e = model.data().get(v.name()).elements();
      if (v.dims().length == 0) {
        env.put(v.name(), new Dual(e[0], 0));
      } else if (v.dims().length == 1) {
        env.put(v.name(), new DualVec(e.clone(), new double[e.length]));
      }
    }
    double jacobian = 0;
    double jacobianDot = 0;
    for (CheckedModel.Param p : model.params()) {
      int n = p.elementCount();
      double[] v = new double[n];
      double[] d = new double[n];
      if (p.ordered()) {
        // x[0] = u[0], x[i] = x[i-1] + e^u[i] (dx[i] = dx[i-1] + e^u[i] du[i]); log J = u[1] + ... + u[n-1]
        for (int i = 0; i < n; i++) {
          double u = z[p.offset() + i];
          double du = t[p.offset() + i];
          v[i] = i == 0 ? u : v[i - 1] + Math.exp(u);
          d[i] = i == 0 ? du : d[i - 1] + Math.exp(u) * du;
          jacobian += i == 0 ? 0 : u;
          jacobianDot += i == 0 ? 0 : du;
        }
        env.put(p.name(), new DualVec(v, d));
        continue;
      }
      if (p.hasComputedBounds()) {
        // bounds of earlier parameters and data, evaluated where the parameter is declared, with their tangents
        Value lower = Double.isNaN(p.lower()) ? eval(p.decl().lower(), env) : new Dual(p.lower(), 0);
        Value upper = Double.isNaN(p.upper()) ? eval(p.decl().upper(), env) : new Dual(p.upper(), 0);
        for (int i = 0; i < n; i++) {
          Dual[] x = constrained(z[p.offset() + i], t[p.offset() + i], at(lower, i), at(upper, i));
          v[i] = x[0].v();
          d[i] = x[0].d();
          jacobian += x[1].v();
          jacobianDot += x[1].d();
        }
        env.put(p.name(), p.isScalar() ? new Dual(v[0], d[0]) : new DualVec(v, d));
        continue;
      }
      for (int i = 0; i < n; i++) {
        Dual[] x = constrained(z[p.offset() + i], t[p.offset() + i], p.lower(), p.upper());
        v[i] = x[0].v();
        d[i] = x[0].d();
        jacobian += x[1].v();
        jacobianDot += x[1].d();
      }
      env.put(p.name(), p.isScalar() ? new Dual(v[0], d[0]) : new DualVec(v, d));
    }
    double potential = 0;
    double potentialDot = 0;
    double logp = 0;
    double logpDot = 0;
    for (Statement s : model.ast().statements()) {
      if (s instanceof LetDecl l && model.matrixLets().containsKey(l.name().text()) && isDense(l.value())) {
        denseLets.put(l.name().text(), dense(l.value(), env));
      } else if (s instanceof LetDecl l && model.matrixLets().containsKey(l.name().text())) {
        matrixLets.put(l.name().text(), matrixValue(l.value()));
      } else if (s instanceof LetDecl l) {
        env.put(l.name().text(), eval(l.value(), env));
      } else if (s instanceof Contribution c) {
        Dual v = (Dual) eval(c.value(), env);
        if (c.kind() == Ast.ContributionKind.POTENTIAL) {
          potential += v.v();
          potentialDot += v.d();
        } else {
          logp += v.v();
          logpDot += v.d();
        }
      } else if (s instanceof Ast.StateDecl st) {
        env.put(st.name().text(), eval(st.value(), env));
      } else if (s instanceof Ast.Loop loop) {
        Dual v = loop(loop, env);
        logp += v.v();
        logpDot += v.d();
      }
    }
    return new Result(logp - potential + jacobian, logpDot - potentialDot + jacobianDot);
  }

  // ---- matrices of parameters, element by element in dual numbers -----------------------------

  /** Lets of the matrix functions by name, by rows. */
  private final Map<String, Dual[][]> denseLets = new HashMap<>();

  private static Dual plus(Dual a, Dual b) {
    return new Dual(a.v() + b.v(), a.d() + b.d());
  }

  private static Dual minus(Dual a, Dual b) {
    return new Dual(a.v() - b.v(), a.d() - b.d());
  }

  private static Dual times(Dual a, Dual b) {
    return new Dual(a.v() * b.v(), a.d() * b.v() + a.v() * b.d());
  }

  private static Dual over(Dual a, Dual b) {
    return new Dual(a.v() / b.v(), (a.d() * b.v() - a.v() * b.d()) / (b.v() * b.v()));
  }

  private static Dual root(Dual a) {
    double r = Math.sqrt(a.v());
    return new Dual(r, a.d() / (2 * r));
  }

  /** A matrix of the matrix functions (not a data matrix's columns alone). */
  private boolean isDense(Expr e) {
    if (e instanceof Ident id) {
      return denseLets.containsKey(id.name());
    }
    if (e instanceof Call c) {
      return MatrixFunctions.isMatrixValued(c.name()) && !model.functions().containsKey(c.name());
    }
    return e instanceof Binary b && b.op() != Ast.BinaryOp.DIV && b.op() != Ast.BinaryOp.POW
        && (isDense(b.left()) || isMatrixExpr(b.left(), Map.of())) && (isDense(b.right()) || isMatrixExpr(b.right(), Map.of()))
        && (isDense(b.left()) || isDense(b.right()) || b.op() != Ast.BinaryOp.MUL);
  }

  private Dual[][] dense(Expr e, Map<String, Value> env) {
    if (!isDense(e)) {
      double[][] m = matrixValue(e);
      Dual[][] out = new Dual[m.length][m[0].length];
      for (int i = 0; i < m.length; i++) {
        for (int j = 0; j < m[0].length; j++) {
          out[i][j] = new Dual(m[i][j], 0);
        }
      }
      return out;
    }
    if (e instanceof Ident id) {
      return denseLets.get(id.name());
    }
    if (e instanceof Binary b) {
      Dual[][] x = dense(b.left(), env);
      Dual[][] y = dense(b.right(), env);
      if (b.op() == Ast.BinaryOp.MUL) {
        Dual[][] out = new Dual[x.length][y[0].length];
        for (int i = 0; i < x.length; i++) {
          for (int j = 0; j < y[0].length; j++) {
            Dual acc = times(x[i][0], y[0][j]);
            for (int k = 1; k < y.length; k++) {
              acc = plus(acc, times(x[i][k], y[k][j]));
            }
            out[i][j] = acc;
          }
        }
        return out;
      }
      Dual[][] out = new Dual[x.length][x[0].length];
      for (int i = 0; i < x.length; i++) {
        for (int j = 0; j < x[0].length; j++) {
          out[i][j] = b.op() == Ast.BinaryOp.ADD ? plus(x[i][j], y[i][j]) : minus(x[i][j], y[i][j]);
        }
      }
      return out;
    }
    Call c = (Call) e;
    switch (c.name()) {
      case "gp_exp_quad_cov" -> {
        Value x = eval(c.args().get(0), env);
        Dual alpha = at(eval(c.args().get(1), env), 0);
        Dual rho = at(eval(c.args().get(2), env), 0);
        int n = length(x);
        Dual[][] out = new Dual[n][n];
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < n; j++) {
            Dual d = minus(at(x, i), at(x, j));
            Dual exponent = over(times(new Dual(-0.5, 0), times(d, d)), times(rho, rho));
            double ex = Math.exp(exponent.v());
            out[i][j] = times(times(alpha, alpha), new Dual(ex, ex * exponent.d()));
          }
        }
        return out;
      }
      case "cholesky_decompose" -> {
        Dual[][] a = dense(c.args().get(0), env);
        int n = a.length;
        Dual[][] l = new Dual[n][n];
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < n; j++) {
            Dual s = j > i ? new Dual(0, 0) : a[i][j];
            for (int k = 0; k < j && j <= i; k++) {
              s = minus(s, times(l[i][k], l[j][k]));
            }
            l[i][j] = j > i ? s : i == j ? root(s) : over(s, l[j][j]);
          }
        }
        return l;
      }
      case "rep_matrix" -> {
        Dual x = at(eval(c.args().get(0), env), 0);
        Dual[][] out = new Dual[columnBound(c.args().get(1))][columnBound(c.args().get(2))];
        for (Dual[] row : out) {
          Arrays.fill(row, x);
        }
        return out;
      }
      case "add_diag", "diag_matrix" -> {
        boolean add = c.name().equals("add_diag");
        Value d = eval(c.args().get(add ? 1 : 0), env);
        Dual[][] a = add ? dense(c.args().get(0), env) : null;
        int n = add ? a.length : length(d);
        Dual[][] out = new Dual[n][n];
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < n; j++) {
            Dual base = add ? a[i][j] : new Dual(0, 0);
            out[i][j] = i == j ? plus(base, at(d, length(d) == 0 ? 0 : i)) : base;
          }
        }
        return out;
      }
      default -> {
        Dual[][] a = dense(c.args().get(0), env);
        Dual[][] out = new Dual[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
          for (int j = 0; j < a[0].length; j++) {
            out[j][i] = a[i][j];
          }
        }
        return out;
      }
    }
  }

  /** x with L x = b, in dual numbers. */
  private static Dual[] forwardSubstitution(Dual[][] l, Value b) {
    Dual[] x = new Dual[l.length];
    for (int i = 0; i < l.length; i++) {
      Dual s = at(b, i);
      for (int k = 0; k < i; k++) {
        s = minus(s, times(l[i][k], x[k]));
      }
      x[i] = over(s, l[i][i]);
    }
    return x;
  }

  private static Dual log(Dual a) {
    return new Dual(Math.log(a.v()), a.d() / a.v());
  }

  private Value matrixArguments(Call c, Map<String, Value> env) {
    switch (c.name()) {
      case "rep_vector" -> {
        Dual x = at(eval(c.args().get(0), env), 0);
        return reals(columnBound(c.args().get(1)), i -> x);
      }
      case "mdivide_left_tri_low" -> {
        Dual[] x = forwardSubstitution(dense(c.args().get(0), env), eval(c.args().get(1), env));
        return reals(x.length, i -> x[i]);
      }
      case "diagonal" -> {
        Dual[][] a = dense(c.args().get(0), env);
        return reals(a.length == 1 ? 0 : a.length, i -> a[i][i]);
      }
      case "log_determinant_spd" -> {
        Dual[][] a = dense(c.args().get(0), env);
        Dual[][] l = dense(new Call("cholesky_decompose", c.nameSpan(), List.of(c.args().get(0)), c.span()), env);
        Dual sum = new Dual(0, 0);
        for (int i = 0; i < a.length; i++) {
          sum = plus(sum, times(new Dual(2, 0), log(l[i][i])));
        }
        return sum;
      }
      default -> {
        Dual[][] l = dense(c.args().get(2), env);
        Value y = eval(c.args().get(0), env);
        Value mu = eval(c.args().get(1), env);
        Value centered = reals(l.length, i -> minus(at(y, i), at(mu, length(mu) == 0 ? 0 : i)));
        Dual[] r = forwardSubstitution(l, centered);
        Dual lp = new Dual(-0.5 * l.length * Math.log(2 * Math.PI), 0);
        for (int i = 0; i < l.length; i++) {
          lp = minus(minus(lp, times(new Dual(0.5, 0), times(r[i], r[i]))), log(l[i][i]));
        }
        return lp;
      }
    }
  }

  /** A loop over t, statement by statement with t bound as a number: what it adds to log p, with its tangent. */
  private Dual loop(Ast.Loop loop, Map<String, Value> env) {
    int from = columnBound(loop.from());
    int to = columnBound(loop.to());
    double logp = 0;
    double logpDot = 0;
    for (int t = from; t < to; t++) {
      env.put(loop.index().text(), new Dual(t, 0));
      for (Statement s : loop.body()) {
        if (s instanceof LetDecl l) {
          env.put(l.name().text(), eval(l.value(), env));
        } else if (s instanceof Ast.Assign a) {
          env.put(a.name().text(), eval(a.value(), env));
        } else if (s instanceof Contribution c) {
          Dual v = (Dual) eval(c.value(), env);
          double sign = c.kind() == Ast.ContributionKind.POTENTIAL ? -1 : 1;
          logp += sign * v.v();
          logpDot += sign * v.d();
        }
      }
    }
    env.remove(loop.index().text());
    return new Dual(logp, logpDot);
  }

  /** Matrix-valued lets by name, by rows. */
  private final Map<String, double[][]> matrixLets = new HashMap<>();

  /** A data matrix expression by rows: a data matrix, a matrix let, cols(M, from, to) or center(M). */
  private double[][] matrixValue(Expr e) {
    if (e instanceof Ident id) {
      double[][] let = matrixLets.get(id.name());
      if (let != null) {
        return let;
      }
      io.flowc.runtime.data.DataSet.Value value = model.data().get(id.name());
      int rows = value.dims()[0];
      int cols = value.dims()[1];
      double[][] m = new double[rows][cols];
      for (int r = 0; r < rows; r++) {
        System.arraycopy(value.elements(), r * cols, m[r], 0, cols);
      }
      return m;
    }
    Call c = (Call) e;
    double[][] m = matrixValue(c.args().get(0));
    if (c.name().equals("cols")) {
      int from = columnBound(c.args().get(1));
      int to = columnBound(c.args().get(2));
      double[][] out = new double[m.length][];
      for (int r = 0; r < m.length; r++) {
        out[r] = java.util.Arrays.copyOfRange(m[r], from, to);
      }
      return out;
    }
    double[] means = columnMeans(m);
    double[][] out = new double[m.length][means.length];
    for (int r = 0; r < m.length; r++) {
      for (int k = 0; k < means.length; k++) {
        out[r][k] = m[r][k] - means[k];
      }
    }
    return out;
  }

  private static double[] columnMeans(double[][] m) {
    double[] means = new double[m[0].length];
    for (int k = 0; k < means.length; k++) {
      double sum = 0;
      for (double[] row : m) {
        sum += row[k];
      }
      means[k] = sum / m.length;
    }
    return means;
  }

  private int columnBound(Expr e) {
    int shift = 0;
    if (e instanceof Binary b) {
      int k = Integer.parseInt(((Ast.Num) b.right()).text());
      shift = b.op() == Ast.BinaryOp.ADD ? k : -k;
      e = b.left();
    }
    if (e instanceof Ast.Num n) {
      return Integer.parseInt(n.text()) + shift;
    }
    return (int) model.data().get(((Ident) e).name()).elements()[0] + shift;
  }

  private boolean isMatrixExpr(Expr e, Map<String, Value> env) {
    if (e instanceof Call c) {
      return (c.name().equals("cols") || c.name().equals("center")) && !model.functions().containsKey(c.name());
    }
    return e instanceof Ident id && !env.containsKey(id.name()) && model.isMatrix(id.name());
  }

  /** X v (X by rows): (X v)[r] = sum_k X[r, k] v[k], and its tangent X dv. */
  private static DualVec matrixTimesVector(double[][] x, DualVec v) {
    int rows = x.length;
    int cols = rows == 0 ? 0 : x[0].length;
    double[] out = new double[rows];
    double[] tangent = new double[rows];
    for (int r = 0; r < rows; r++) {
      for (int k = 0; k < cols; k++) {
        double xrk = x[r][k];
        out[r] = k == 0 ? xrk * v.v()[0] : out[r] + xrk * v.v()[k];
        tangent[r] += xrk * v.d()[k];
      }
    }
    return new DualVec(out, tangent);
  }

  /** v[index] by data integers: the picked elements and their tangents. */
  private static Value gather(Value v, Value index) {
    if (index instanceof Dual d) {
      return at(v, (int) d.v());
    }
    double[] idx = ((DualVec) index).v();
    double[] out = new double[idx.length];
    double[] tangent = new double[idx.length];
    for (int i = 0; i < idx.length; i++) {
      Dual x = at(v, (int) idx[i]);
      out[i] = x.v();
      tangent[i] = x.d();
    }
    return new DualVec(out, tangent);
  }

  /**
   * A bounded parameter's value and its log-Jacobian as duals, from the transforms' definitions:
   * x = a + e^u (dx = e^u du), x = b - e^u (dx = -e^u du), x = a + (b - a) s(u) with s the
   * sigmoid (dx = (b - a) s(u) s(-u) du, d log J = (s(-u) - s(u)) du).
   */
  /**
   * The same transforms with bounds that are duals themselves: x = a + (b - a) s(u) has the tangent
   * da + (db - da) s(u) + (b - a) s(u) s(-u) du, and log J = log(b - a) - softplus(-u) - softplus(u)
   * the tangent (db - da) / (b - a) + (s(-u) - s(u)) du.
   */
  private static Dual[] constrained(double u, double du, Dual lower, Dual upper) {
    boolean hasLower = lower.v() > Double.NEGATIVE_INFINITY;
    boolean hasUpper = upper.v() < Double.POSITIVE_INFINITY;
    if (hasLower && hasUpper) {
      double s = MathFunctions.sigmoid(u);
      double sNeg = MathFunctions.sigmoid(-u);
      double width = upper.v() - lower.v();
      double dWidth = upper.d() - lower.d();
      double x = lower.v() + width * s;
      double logJ = Math.log(width) - MathFunctions.softplus(-u) - MathFunctions.softplus(u);
      return new Dual[] {new Dual(x, lower.d() + dWidth * s + width * s * sNeg * du),
          new Dual(logJ, dWidth / width + (sNeg - s) * du)};
    } else if (hasLower) {
      return new Dual[] {new Dual(lower.v() + Math.exp(u), lower.d() + Math.exp(u) * du), new Dual(u, du)};
    } else if (hasUpper) {
      return new Dual[] {new Dual(upper.v() - Math.exp(u), upper.d() - Math.exp(u) * du), new Dual(u, du)};
    }
    return new Dual[] {new Dual(u, du), new Dual(0, 0)};
  }

  private static Dual[] constrained(double u, double du, double lower, double upper) {
    boolean hasLower = lower > Double.NEGATIVE_INFINITY;
    boolean hasUpper = upper < Double.POSITIVE_INFINITY;
    if (hasLower && hasUpper) {
      double s = MathFunctions.sigmoid(u);
      double sNeg = MathFunctions.sigmoid(-u);
      double x = lower + (upper - lower) * s;
      double logJ = Math.log(upper - lower) - MathFunctions.softplus(-u) - MathFunctions.softplus(u);
      return new Dual[] {new Dual(x, (upper - lower) * s * sNeg * du), new Dual(logJ, (sNeg - s) * du)};
    } else if (hasLower) {
      return new Dual[] {new Dual(lower + Math.exp(u), Math.exp(u) * du), new Dual(u, du)};
    } else if (hasUpper) {
      return new Dual[] {new Dual(upper - Math.exp(u), -Math.exp(u) * du), new Dual(u, du)};
    }
    return new Dual[] {new Dual(u, du), new Dual(0, 0)};
  }

  // ---- values -------------------------------------------------------------------------------

  private sealed interface Value permits Dual, DualVec, Flag, FlagVec {}

  /** A scalar and its tangent. */
  private record Dual(double v, double d) implements Value {}

  private record DualVec(double[] v, double[] d) implements Value {}

  private record Flag(boolean v) implements Value {}

  private record FlagVec(boolean[] v) implements Value {}

  private static int length(Value x) {
    if (x instanceof DualVec dv) {
      return dv.v().length;
    }
    return x instanceof FlagVec fv ? fv.v().length : 0;
  }

  /** Element i of a real value (a scalar broadcasts). */
  private static Dual at(Value x, int i) {
    if (x instanceof Dual d) {
      return d;
    }
    DualVec dv = (DualVec) x;
    return new Dual(dv.v()[i], dv.d()[i]);
  }

  private static boolean flagAt(Value x, int i) {
    return x instanceof Flag f ? f.v() : ((FlagVec) x).v()[i];
  }

  /** Builds a real value of length n (0: scalar) from its elements. */
  private static Value reals(int n, java.util.function.IntFunction<Dual> element) {
    if (n == 0) {
      return element.apply(0);
    }
    double[] v = new double[n];
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      Dual e = element.apply(i);
      v[i] = e.v();
      d[i] = e.d();
    }
    return new DualVec(v, d);
  }

  private static Value flags(int n, java.util.function.IntPredicate element) {
    if (n == 0) {
      return new Flag(element.test(0));
    }
    boolean[] out = new boolean[n];
    for (int i = 0; i < n; i++) {
      out[i] = element.test(i);
    }
    return new FlagVec(out);
  }

  /** f'(x) dx, zero when dx is: a constant's derivative is zero even where f' is infinite. */
  private static double chain(double derivative, double dx) {
    return dx == 0 ? 0 : derivative * dx;
  }

  /** A function of one real and its derivative (given x and f(x)). */
  private interface Rule1 {
    double value(double x);

    double derivative(double x, double fx);
  }

  private static Rule1 rule(java.util.function.DoubleUnaryOperator value, java.util.function.DoubleBinaryOperator derivative) {
    return new Rule1() {
      @Override
      public double value(double x) {
        return value.applyAsDouble(x);
      }

      @Override
      public double derivative(double x, double fx) {
        return derivative.applyAsDouble(x, fx);
      }
    };
  }

  private static Value map(Value a, Rule1 f) {
    return reals(length(a), i -> {
      Dual x = at(a, i);
      double fx = f.value(x.v());
      return new Dual(fx, x.d() == 0 ? 0 : f.derivative(x.v(), fx) * x.d());
    });
  }

  /** A function of two reals: its value and its partial derivatives. */
  private interface Rule2 {
    double value(double a, double b);

    double da(double a, double b, double f);

    double db(double a, double b, double f);
  }

  private static Value map(Value a, Value b, Rule2 f) {
    return reals(Math.max(length(a), length(b)), i -> {
      Dual x = at(a, i);
      Dual y = at(b, i);
      double v = f.value(x.v(), y.v());
      double d = (x.d() == 0 ? 0 : f.da(x.v(), y.v(), v) * x.d()) + (y.d() == 0 ? 0 : f.db(x.v(), y.v(), v) * y.d());
      return new Dual(v, d);
    });
  }

  private static Rule2 rule2(java.util.function.DoubleBinaryOperator value, Partial da, Partial db) {
    return new Rule2() {
      @Override
      public double value(double a, double b) {
        return value.applyAsDouble(a, b);
      }

      @Override
      public double da(double a, double b, double f) {
        return da.at(a, b, f);
      }

      @Override
      public double db(double a, double b, double f) {
        return db.at(a, b, f);
      }
    };
  }

  private interface Partial {
    double at(double a, double b, double f);
  }

  // ---- rules --------------------------------------------------------------------------------

  private static final Rule2 ADD = rule2((a, b) -> a + b, (a, b, f) -> 1, (a, b, f) -> 1);
  private static final Rule2 SUB = rule2((a, b) -> a - b, (a, b, f) -> 1, (a, b, f) -> -1);
  private static final Rule2 MUL = rule2((a, b) -> a * b, (a, b, f) -> b, (a, b, f) -> a);
  private static final Rule2 DIV = rule2((a, b) -> a / b, (a, b, f) -> 1 / b, (a, b, f) -> -a / (b * b));
  /**
   * d/da a^b = b a^(b-1); d/db a^b = a^b log a. Where a^b is constant along an argument the
   * derivative is 0 though the formula is not finite: in a at b = 0 (a^0 = 1 for every a, also
   * 0^0 in Math.pow) and in b at a = 0 (0^b = 0 for b > 0).
   */
  private static final Rule2 POW = rule2(Math::pow,
      (a, b, f) -> b == 0 ? 0 : b * Math.pow(a, b - 1),
      (a, b, f) -> a == 0 ? 0 : f * Math.log(a));
  private static final Rule2 ATAN2 = rule2(Math::atan2,
      (y, x, f) -> x / (x * x + y * y), (y, x, f) -> -y / (x * x + y * y));
  private static final Rule2 MIN = rule2(Math::min, (a, b, f) -> a <= b ? 1 : 0, (a, b, f) -> a <= b ? 0 : 1);
  private static final Rule2 MAX = rule2(Math::max, (a, b, f) -> a >= b ? 1 : 0, (a, b, f) -> a >= b ? 0 : 1);
  private static final Rule2 LOGADDEXP = rule2(MathFunctions::logaddexp,
      (a, b, f) -> MathFunctions.sigmoid(a - b), (a, b, f) -> MathFunctions.sigmoid(b - a));

  private static Rule1 unaryRule(Builtin b) {
    return switch (b) {
      case SIN -> rule(Math::sin, (x, f) -> Math.cos(x));
      case COS -> rule(Math::cos, (x, f) -> -Math.sin(x));
      case TAN -> rule(Math::tan, (x, f) -> 1 / (Math.cos(x) * Math.cos(x)));
      case ASIN -> rule(Math::asin, (x, f) -> 1 / Math.sqrt((1 - x) * (1 + x)));
      case ACOS -> rule(Math::acos, (x, f) -> -1 / Math.sqrt((1 - x) * (1 + x)));
      case ATAN -> rule(Math::atan, (x, f) -> 1 / (1 + x * x));
      case SINH -> rule(Math::sinh, (x, f) -> Math.cosh(x));
      case COSH -> rule(Math::cosh, (x, f) -> Math.sinh(x));
      case TANH -> rule(Math::tanh, (x, f) -> 1 / (Math.cosh(x) * Math.cosh(x)));
      case EXP -> rule(Math::exp, (x, f) -> f);
      case EXPM1 -> rule(Math::expm1, (x, f) -> Math.exp(x));
      case LOG -> rule(Math::log, (x, f) -> 1 / x);
      case LOG1P -> rule(Math::log1p, (x, f) -> 1 / (1 + x));
      case SQRT -> rule(Math::sqrt, (x, f) -> 1 / (2 * Math.sqrt(x)));
      case SQUARE -> rule(MathFunctions::square, (x, f) -> 2 * x);
      case ABS -> rule(Math::abs, (x, f) -> x >= 0 ? 1 : -1);
      case SIGMOID -> rule(MathFunctions::sigmoid, (x, f) -> MathFunctions.sigmoid(x) * MathFunctions.sigmoid(-x));
      case LOGIT -> rule(MathFunctions::logit, (p, f) -> 1 / p + 1 / (1 - p));
      case SOFTPLUS -> rule(MathFunctions::softplus, (x, f) -> 1 / (1 + Math.exp(-x)));
      case ERF -> rule(MathFunctions::erf, (x, f) -> TWO_OVER_SQRT_PI * Math.exp(-x * x));
      case ERFC -> rule(MathFunctions::erfc, (x, f) -> -TWO_OVER_SQRT_PI * Math.exp(-x * x));
      case LGAMMA -> rule(MathFunctions::lgamma, (x, f) -> MathFunctions.polygamma(0, x));
      default -> throw new IllegalArgumentException(b + " is not an elementwise function of one argument");
    };
  }

  private static Rule2 binaryRule(Builtin b) {
    return switch (b) {
      case ATAN2 -> ATAN2;
      case POW -> POW;
      case MIN -> MIN;
      case MAX -> MAX;
      case LOGADDEXP -> LOGADDEXP;
      default -> throw new IllegalArgumentException(b + " is not an elementwise function of two arguments");
    };
  }

  // ---- evaluation ---------------------------------------------------------------------------

  private Value eval(Expr e, Map<String, Value> env) {
    if (e instanceof Num n) {
      return new Dual(n.value(), 0);
    } else if (e instanceof Ident id) {
      Value v = env.get(id.name());
      return v != null ? v : new Dual(Builtin.CONSTANTS.get(id.name()), 0);
    } else if (e instanceof Unary u) {
      Value v = eval(u.operand(), env);
      return switch (u.op()) {
        case NEG -> reals(length(v), i -> {
          Dual x = at(v, i);
          return new Dual(-x.v(), -x.d());
        });
        case PLUS -> v;
        case NOT -> flags(length(v), i -> !flagAt(v, i));
      };
    } else if (e instanceof Binary b && b.op() == Ast.BinaryOp.MUL && isDense(b.left())) {
      Dual[][] m = dense(b.left(), env);
      Value v = eval(b.right(), env);
      return reals(m.length, i -> {
        Dual acc = null;
        for (int k = 0; k < m[i].length; k++) {
          Dual term = times(m[i][k], at(v, k));
          acc = acc == null ? term : plus(acc, term);
        }
        return acc;
      });
    } else if (e instanceof Binary b && b.op() == Ast.BinaryOp.MUL && isMatrixExpr(b.left(), env)) {
      return matrixTimesVector(matrixValue(b.left()), (DualVec) eval(b.right(), env));
    } else if (e instanceof Binary b) {
      return binary(b, eval(b.left(), env), eval(b.right(), env));
    } else if (e instanceof Conditional c) {
      Value cond = eval(c.cond(), env);
      Value then = eval(c.then(), env);
      Value otherwise = eval(c.otherwise(), env);
      int n = Math.max(length(cond), Math.max(length(then), length(otherwise)));
      return reals(n, i -> flagAt(cond, length(cond) == 0 ? 0 : i) ? at(then, i) : at(otherwise, i));
    } else if (e instanceof Call c && c.name().equals(io.flowc.compiler.frontend.Ast.WINDOW)) {
      // v[a:b] with the loop's index bound as a number: elements a .. b - 1
      Value v = eval(c.args().get(0), env);
      int from = (int) ((Dual) eval(c.args().get(1), env)).v();
      int to = (int) ((Dual) eval(c.args().get(2), env)).v();
      return to - from == 1 ? at(v, from) : reals(to - from, i -> at(v, from + i));
    } else if (e instanceof Call c && c.name().equals("reverse") && !model.functions().containsKey("reverse")) {
      Value v = eval(c.args().get(0), env);
      int n = length(v);
      return n == 0 ? v : reals(n, i -> at(v, n - 1 - i));
    } else if (e instanceof Call c) {
      return call(c, env);
    } else if (e instanceof Index ix && !(ix.index() instanceof Num)) {
      return gather(eval(ix.target(), env), eval(ix.index(), env));
    } else if (e instanceof Index ix) {
      Value target = eval(ix.target(), env);
      int i = Integer.parseInt(((Num) ix.index()).text());
      return target instanceof FlagVec f ? new Flag(f.v()[i]) : at(target, i);
    } else {
      List<Expr> elements = ((VectorLit) e).elements();
      List<Dual> parts = new ArrayList<>();
      for (Expr element : elements) {
        parts.add((Dual) eval(element, env));
      }
      return reals(parts.size(), parts::get);
    }
  }

  /** Stan's log_mix(theta, a, b) = logaddexp(log(theta) + a, log1p(-theta) + b), by the chain rule. */
  private static Value logMix(Value theta, Value a, Value b) {
    Value first = map(map(theta, unaryRule(Builtin.LOG)), a, ADD);
    Value second = map(map(map(theta, rule(x -> -x, (x, f) -> -1)), unaryRule(Builtin.LOG1P)), b, ADD);
    return map(first, second, LOGADDEXP);
  }

  private static Value binary(Binary b, Value l, Value r) {
    int n = Math.max(length(l), length(r));
    return switch (b.op()) {
      case ADD -> map(l, r, ADD);
      case SUB -> map(l, r, SUB);
      case MUL -> map(l, r, MUL);
      case DIV -> map(l, r, DIV);
      case POW -> map(l, r, POW);
      case LT -> flags(n, i -> at(l, i).v() < at(r, i).v());
      case LE -> flags(n, i -> at(l, i).v() <= at(r, i).v());
      case GT -> flags(n, i -> at(l, i).v() > at(r, i).v());
      case GE -> flags(n, i -> at(l, i).v() >= at(r, i).v());
      case EQ -> flags(n, i -> equal(l, r, i));
      case NE -> flags(n, i -> !equal(l, r, i));
      case AND -> flags(n, i -> flagAt(l, length(l) == 0 ? 0 : i) && flagAt(r, length(r) == 0 ? 0 : i));
      case OR -> flags(n, i -> flagAt(l, length(l) == 0 ? 0 : i) || flagAt(r, length(r) == 0 ? 0 : i));
    };
  }

  private static boolean equal(Value l, Value r, int i) {
    if (l instanceof Flag || l instanceof FlagVec) {
      return flagAt(l, length(l) == 0 ? 0 : i) == flagAt(r, length(r) == 0 ? 0 : i);
    }
    return at(l, i).v() == at(r, i).v();
  }

  private Value call(Call c, Map<String, Value> env) {
    if (MatrixFunctions.takesMatrix(c.name()) && !model.functions().containsKey(c.name())) {
      return matrixArguments(c, env);
    }
    if (c.name().equals("col_means") && !model.functions().containsKey(c.name())) {
      double[] means = columnMeans(matrixValue(c.args().get(0)));
      return new DualVec(means, new double[means.length]);
    }
    List<Value> args = new ArrayList<>();
    for (Expr a : c.args()) {
      args.add(eval(a, env));
    }
    FnDecl fn = model.functions().get(c.name());
    if (fn != null) {
      Map<String, Value> local = new HashMap<>();
      for (int i = 0; i < args.size(); i++) {
        local.put(fn.params().get(i).text(), args.get(i));
      }
      return eval(fn.body(), local);
    }
    Builtin b = Builtin.byName(c.name()).orElseThrow();
    return switch (b.form) {
      case ELEMENTWISE -> args.size() == 1 ? map(args.get(0), unaryRule(b))
          : args.size() == 2 ? map(args.get(0), args.get(1), binaryRule(b))
          : logMix(args.get(0), args.get(1), args.get(2));
      case REDUCTION -> reduce(b, (DualVec) args.get(0));
      case DOT -> dot((DualVec) args.get(0), (DualVec) args.get(1));
      case LOGSUMEXP -> logsumexp(args);
      case DISTRIBUTION -> distribution(b, args);
    };
  }

  /** The sum over broadcast elements of the term's value and of its partial derivatives times the tangents. */
  private static Value distribution(Builtin b, List<Value> args) {
    int n = args.stream().mapToInt(DualInterpreter::length).max().orElse(0);
    double value = 0;
    double derivative = 0;
    double[] x = new double[args.size()];
    double[] dx = new double[args.size()];
    for (int i = 0; i < Math.max(1, n); i++) {
      for (int k = 0; k < x.length; k++) {
        Dual e = at(args.get(k), length(args.get(k)) == 0 ? 0 : i);
        x[k] = e.v();
        dx[k] = e.d();
      }
      value += ReferenceDensities.of(b, x);
      double[] partials = partials(b, x);
      for (int k = 0; k < x.length; k++) {
        if (dx[k] != 0) {
          derivative += partials[k] * dx[k];
        }
      }
    }
    return new Dual(value, derivative);
  }

  private static double digamma(double x) {
    return MathFunctions.polygamma(0, x);
  }

  /** The partial derivatives of one element's term with respect to each argument, from calculus. */
  private static double[] partials(Builtin b, double[] x) {
    double y = x[0];
    return switch (b) {
      case NORMAL_LPDF -> {
        double z = (y - x[1]) / x[2];
        yield new double[] {-z / x[2], z / x[2], (z * z - 1) / x[2]};
      }
      case STUDENT_T_LPDF -> {
        double nu = x[1];
        double sigma = x[3];
        double z = (y - x[2]) / sigma;
        double dz = -(nu + 1) * z / (sigma * (nu + z * z));
        double dNu = 0.5 * (digamma((nu + 1) / 2) - digamma(nu / 2)) - 0.5 / nu - 0.5 * Math.log1p(z * z / nu)
            + (nu + 1) / 2 * z * z / (nu * (nu + z * z));
        yield new double[] {dz, dNu, -dz, -1 / sigma - dz * z};
      }
      case CAUCHY_LPDF -> {
        double z = (y - x[1]) / x[2];
        double dz = -2 * z / (x[2] * (1 + z * z));
        yield new double[] {dz, -dz, -1 / x[2] - dz * z};
      }
      case EXPONENTIAL_LPDF -> y < 0 ? new double[2] : new double[] {-x[1], 1 / x[1] - y};
      case GAMMA_LPDF -> new double[] {(x[1] - 1) / y - x[2], Math.log(x[2]) - digamma(x[1]) + Math.log(y),
          x[1] / x[2] - y};
      case BETA_LPDF -> new double[] {(x[1] - 1) / y - (x[2] - 1) / (1 - y),
          digamma(x[1] + x[2]) - digamma(x[1]) + Math.log(y), digamma(x[1] + x[2]) - digamma(x[2]) + Math.log1p(-y)};
      case LOGNORMAL_LPDF -> {
        double z = (Math.log(y) - x[1]) / x[2];
        yield new double[] {(-z / x[2] - 1) / y, z / x[2], (z * z - 1) / x[2]};
      }
      case BERNOULLI_LOGIT_LPMF -> new double[] {x[1], y - MathFunctions.sigmoid(x[1])};
      case POISSON_LOG_LPMF -> new double[] {x[1] - digamma(y + 1), y - Math.exp(x[1])};
      case BINOMIAL_LOGIT_LPMF -> {
        double trials = x[1];
        double alpha = x[2];
        yield new double[] {-digamma(y + 1) + digamma(trials - y + 1) + alpha,
            digamma(trials + 1) - digamma(trials - y + 1) - MathFunctions.softplus(alpha),
            y - trials * MathFunctions.sigmoid(alpha)};
      }
      default -> throw new IllegalArgumentException(b + " is not a distribution");
    };
  }

  private static Value reduce(Builtin b, DualVec v) {
    int n = v.v().length;
    double sum = 0;
    double sumDot = 0;
    for (int i = 0; i < n; i++) {
      sum += v.v()[i];
      sumDot += v.d()[i];
    }
    return switch (b) {
      case SUM -> new Dual(sum, sumDot);
      case MEAN -> new Dual(sum / n, sumDot / n);
      case NORM -> {
        double squares = 0;
        double inner = 0;
        for (int i = 0; i < n; i++) {
          squares += v.v()[i] * v.v()[i];
          inner += v.v()[i] * v.d()[i];
        }
        double norm = Math.sqrt(squares);
        // d|v| = (v . dv) / |v|
        yield new Dual(norm, inner == 0 ? 0 : inner / norm);
      }
      case SD -> {
        double mean = sum / n;
        double meanDot = sumDot / n;
        double squares = 0;
        double inner = 0;
        for (int i = 0; i < n; i++) {
          squares += (v.v()[i] - mean) * (v.v()[i] - mean);
          inner += (v.v()[i] - mean) * (v.d()[i] - meanDot);
        }
        double sd = Math.sqrt(squares / (n - 1));
        // d sd = sum((v - mean)(dv - dmean)) / ((n - 1) sd)
        yield new Dual(sd, inner == 0 ? 0 : inner / ((n - 1) * sd));
      }
      default -> throw new IllegalArgumentException(b + " is not a reduction");
    };
  }

  private static Value dot(DualVec a, DualVec b) {
    double v = 0;
    double d = 0;
    for (int i = 0; i < a.v().length; i++) {
      v += a.v()[i] * b.v()[i];
      d += a.d()[i] * b.v()[i] + a.v()[i] * b.d()[i];
    }
    return new Dual(v, d);
  }

  /** log sum exp of the elements of all arguments; its derivative is the softmax-weighted sum of theirs. */
  private static Value logsumexp(List<Value> args) {
    List<Dual> all = new ArrayList<>();
    for (Value a : args) {
      int n = length(a);
      for (int i = 0; i < Math.max(1, n); i++) {
        all.add(at(a, i));
      }
    }
    double[] v = all.stream().mapToDouble(Dual::v).toArray();
    double lse = MathFunctions.logsumexp(v);
    double d = 0;
    for (Dual x : all) {
      d += chain(Math.exp(x.v() - lse), x.d());
    }
    return new Dual(lse, d);
  }
}
