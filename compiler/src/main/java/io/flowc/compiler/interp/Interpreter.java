package io.flowc.compiler.interp;

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
import io.flowc.compiler.frontend.ColumnBounds;
import io.flowc.compiler.frontend.MatrixFunctions;
import io.flowc.runtime.MathFunctions;
import io.flowc.runtime.Constraints;
import io.flowc.runtime.data.DataLayout;
import io.flowc.runtime.data.DataSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * The reference semantics of the model language: walks the checked syntax tree on doubles.
 * Every later backend is tested against it, so it is written to be obviously right, not fast:
 * no rewriting, no sharing, each function applied exactly as DESIGN.md defines it.
 *
 * <p>A model's total potential is U(z) = (sum of potential terms) - (sum of logp terms) and its
 * log density is log p(z) = -U(z), both up to the same additive constant.
 */
public final class Interpreter {
  private final CheckedModel model;
  private final Observer observer;

  /**
   * Told what an evaluation meets, in evaluation order (arguments before their call, statements
   * in source order), so that diagnostics can say which argument of which call went wrong.
   */
  public interface Observer {
    /** A built-in call and its evaluated arguments, each as its elements ({@code vector[k]} false for a scalar). */
    void builtinCall(Call call, Builtin builtin, List<double[]> args, boolean[] vector);

    /** A contribution statement and its value. */
    void contribution(Contribution statement, double value);

    /** A {@code let} statement, evaluated. */
    void let(LetDecl statement);
  }

  /** The model's data: numbers and vectors by name, and matrices (by rows) apart. */
  private final Map<String, Value> data = new HashMap<>();
  private final Map<String, double[][]> matrices = new HashMap<>();
  /** The parameters and lets of the evaluation under way, which matrix functions' arguments read. */
  private Map<String, Value> topLevel = Map.of();

  public Interpreter(CheckedModel model) {
    this(model, null);
  }

  /** An interpreter without data: a {@link Scope} binds values one at a time. */
  private Interpreter(CheckedModel model, boolean unbound) {
    this.model = model;
    this.observer = null;
  }

  /**
   * Values bound by name and the model's expressions evaluated over them, one at a time, with
   * the semantics {@link #evaluate} gives them: what a forward simulation walks the statements with.
   */
  public static final class Scope {
    private final Interpreter interpreter;
    private final Map<String, Value> values = new HashMap<>();

    private Scope(Interpreter interpreter) {
      this.interpreter = interpreter;
    }

    /** Binds a number (no dims), a vector (one) or a matrix (two, elements by rows). */
    public void bind(String name, DataSet.Value value) {
      interpreter.bind(values, name, value);
    }

    /** Binds {@code name} to the value of {@code e}, of any type (a {@code let}). */
    public void define(String name, Expr e) {
      interpreter.topLevel = values;
      if (interpreter.model.matrixLets().containsKey(name)) {
        interpreter.matrices.put(name, interpreter.matrix(e));
      } else {
        values.put(name, interpreter.eval(e, values));
      }
    }

    /** The value of a real expression: no dims for a scalar, one for a vector. */
    public DataSet.Value evaluate(Expr e) {
      interpreter.topLevel = values;
      Value v = numeric(interpreter.eval(e, values));
      return v instanceof Real r
          ? new DataSet.Value(new int[0], new double[] {r.value()})
          : new DataSet.Value(new int[] {length(v)}, ((Vec) v).values().clone());
    }
  }

  /** An empty scope for the model's expressions. */
  public static Scope scope(CheckedModel model) {
    return new Scope(new Interpreter(model, true));
  }

  /** An interpreter that tells {@code observer} (may be null) what each evaluation meets. */
  public Interpreter(CheckedModel model, Observer observer) {
    this.model = model;
    this.observer = observer;
    // read from the data as given, not through the layout the compiled code uses
    for (DataLayout.Variable v : model.dataLayout().variables()) {
      bind(data, v.name(), model.data().get(v.name()));
    }
  }

  /** Binds a number (no dims) or a vector (one) in {@code values}, a matrix (two, by rows) in {@link #matrices}. */
  private void bind(Map<String, Value> values, String name, DataSet.Value value) {
    int[] dims = value.dims();
    double[] e = value.elements();
    if (dims.length == 0) {
      values.put(name, new Real(e[0]));
    } else if (dims.length == 1) {
      values.put(name, new Vec(e.clone()));
    } else {
      double[][] rows = new double[dims[0]][dims[1]];
      for (int r = 0; r < dims[0]; r++) {
        System.arraycopy(e, r * dims[1], rows[r], 0, dims[1]);
      }
      matrices.put(name, rows);
    }
  }

  /** Both sides of one evaluation. */
  public record Evaluation(double potential, double logp) {}

  /** U(z) of the flat parameter vector z (elements in declaration order). */
  public double potential(double[] z) {
    return evaluate(z).potential();
  }

  /** log p(z) = -U(z). */
  public double logp(double[] z) {
    return evaluate(z).logp();
  }

  public Evaluation evaluate(double[] z) {
    if (z.length != model.dimension()) {
      throw new IllegalArgumentException("expected " + model.dimension() + " values, got " + z.length);
    }
    Map<String, Value> globals = new HashMap<>(data);
    topLevel = globals;
    double logpSum = 0;
    for (CheckedModel.Param p : model.params()) {
      double[] x = new double[p.elementCount()];
      if (p.ordered()) {
        double[] u = Arrays.copyOfRange(z, p.offset(), p.offset() + x.length);
        Constraints.ordered(u, 0, x.length, x);
        for (int i = 1; i < x.length; i++) {
          logpSum += u[i];
        }
        globals.put(p.name(), new Vec(x));
        continue;
      }
      // a computed bound is evaluated where the parameter is declared: it reads earlier parameters and data
      Value lower = Double.isNaN(p.lower()) ? numeric(eval(p.decl().lower(), globals)) : new Real(p.lower());
      Value upper = Double.isNaN(p.upper()) ? numeric(eval(p.decl().upper(), globals)) : new Real(p.upper());
      for (int i = 0; i < x.length; i++) {
        double u = z[p.offset() + i];
        x[i] = Constraints.constrain(u, real(lower, i), real(upper, i));
        logpSum += Constraints.logJacobian(u, real(lower, i), real(upper, i));
      }
      globals.put(p.name(), p.isScalar() ? new Real(x[0]) : new Vec(x));
    }
    double potentialSum = 0;
    for (Statement s : model.ast().statements()) {
      if (s instanceof LetDecl l && model.matrixLets().containsKey(l.name().text())) {
        matrices.put(l.name().text(), matrix(l.value()));
      } else if (s instanceof LetDecl l) {
        globals.put(l.name().text(), eval(l.value(), globals));
        if (observer != null) {
          observer.let(l);
        }
      } else if (s instanceof Contribution c) {
        double v = contribution(c, globals);
        if (c.kind() == Ast.ContributionKind.POTENTIAL) {
          potentialSum -= v;
        } else {
          logpSum += v;
        }
      } else if (s instanceof Ast.StateDecl st) {
        globals.put(st.name().text(), eval(st.value(), globals));
      } else if (s instanceof Ast.Loop loop) {
        logpSum += loop(loop, globals);
      }
    }
    return new Evaluation(potentialSum - logpSum, logpSum - potentialSum);
  }

  /** What a contribution adds to log p: a {@code logp +=} term, or minus a {@code potential} term. */
  private double contribution(Contribution c, Map<String, Value> env) {
    double v = real(eval(c.value(), env), 0);
    if (observer != null) {
      observer.contribution(c, v);
    }
    return c.kind() == Ast.ContributionKind.POTENTIAL ? -v : v;
  }

  /**
   * A loop run statement by statement, the index bound to each t in turn (so {@code y[t - 1]}
   * reads as an index computed from data does), its lets and assignments replacing their values
   * as they run; what its contributions add to log p, summed iteration by iteration.
   */
  private double loop(Ast.Loop loop, Map<String, Value> env) {
    int from = ColumnBounds.value(loop.from(), name -> (int) real(env.get(name), 0));
    int to = ColumnBounds.value(loop.to(), name -> (int) real(env.get(name), 0));
    double logp = 0;
    for (int t = from; t < to; t++) {
      env.put(loop.index().text(), new Real(t));
      double iteration = 0;
      for (Statement s : loop.body()) {
        if (s instanceof LetDecl l) {
          env.put(l.name().text(), eval(l.value(), env));
        } else if (s instanceof Ast.Assign a) {
          env.put(a.name().text(), eval(a.value(), env));
        } else if (s instanceof Contribution c) {
          iteration += contribution(c, env);
        }
      }
      logp += iteration;
    }
    env.remove(loop.index().text());
    loop.body().stream().filter(LetDecl.class::isInstance).forEach(l -> env.remove(((LetDecl) l).name().text()));
    return logp;
  }

  // ---- values -------------------------------------------------------------------------------

  private sealed interface Value permits Real, Vec, Bool, BoolVec {}

  private record Real(double value) implements Value {}

  private record Vec(double[] values) implements Value {}

  private record Bool(boolean value) implements Value {}

  private record BoolVec(boolean[] values) implements Value {}

  private static int length(Value v) {
    return v instanceof Vec vec ? vec.values().length : v instanceof BoolVec b ? b.values().length : 0;
  }

  private static double real(Value v, int i) {
    return v instanceof Real r ? r.value() : v instanceof Vec vec ? vec.values()[i] : bool(v, i) ? 1 : 0;
  }

  /**
   * A value where a real is expected: a comparison's truth as 1 or 0 (the checker allows this for
   * comparisons of data only, as docs/language.md says).
   */
  private static Value numeric(Value v) {
    if (v instanceof Bool b) {
      return new Real(b.value() ? 1 : 0);
    }
    if (v instanceof BoolVec b) {
      double[] out = new double[b.values().length];
      for (int i = 0; i < out.length; i++) {
        out[i] = b.values()[i] ? 1 : 0;
      }
      return new Vec(out);
    }
    return v;
  }

  private static boolean bool(Value v, int i) {
    return v instanceof Bool b ? b.value() : ((BoolVec) v).values()[i];
  }

  private static double[] reals(Value v) {
    return v instanceof Real r ? new double[] {r.value()} : ((Vec) numeric(v)).values();
  }

  /** Applies a real function elementwise over broadcast arguments. */
  private static Value mapReal(List<Value> args, java.util.function.Function<double[], Double> f) {
    int n = args.stream().mapToInt(Interpreter::length).max().orElse(0);
    double[] x = new double[args.size()];
    if (n == 0) {
      for (int k = 0; k < x.length; k++) {
        x[k] = real(args.get(k), 0);
      }
      return new Real(f.apply(x));
    }
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < x.length; k++) {
        x[k] = real(args.get(k), i);
      }
      out[i] = f.apply(x);
    }
    return new Vec(out);
  }

  private static Value unary(Value a, DoubleUnaryOperator f) {
    return mapReal(List.of(a), x -> f.applyAsDouble(x[0]));
  }

  private static Value binary(Value a, Value b, DoubleBinaryOperator f) {
    return mapReal(List.of(a, b), x -> f.applyAsDouble(x[0], x[1]));
  }

  private interface BoolOf {
    boolean test(Value a, Value b, int i);
  }

  private static Value mapBool(Value a, Value b, BoolOf f) {
    int n = Math.max(length(a), length(b));
    if (n == 0) {
      return new Bool(f.test(a, b, 0));
    }
    boolean[] out = new boolean[n];
    for (int i = 0; i < n; i++) {
      out[i] = f.test(a, b, i);
    }
    return new BoolVec(out);
  }

  // ---- evaluation ---------------------------------------------------------------------------

  /** v[index] for an index computed from data integers: a scalar or a vector of picks. */
  private static Value gather(Vec v, Value index) {
    if (index instanceof Real r) {
      return new Real(v.values()[checkedIndex(r.value(), v)]);
    }
    double[] idx = ((Vec) index).values();
    double[] out = new double[idx.length];
    for (int i = 0; i < idx.length; i++) {
      out[i] = v.values()[checkedIndex(idx[i], v)];
    }
    return new Vec(out);
  }

  private static int checkedIndex(double index, Vec v) {
    if (!(index >= 0 && index < v.values().length && index == Math.rint(index))) {
      throw new IllegalArgumentException("index " + index + " outside a vector of " + v.values().length);
    }
    return (int) index;
  }

  /** X v, each row's terms summed in column order (as the compiled code does). */
  private static Vec matrixTimesVector(double[][] x, double[] v) {
    double[] out = new double[x.length];
    for (int r = 0; r < x.length; r++) {
      double s = 0;
      for (int k = 0; k < v.length; k++) {
        s = k == 0 ? x[r][0] * v[0] : s + x[r][k] * v[k];
      }
      out[r] = s;
    }
    return new Vec(out);
  }

  /** A data matrix, a matrix let, or {@code cols}/{@code center} of one (where the checker allows them). */
  private boolean isMatrixExpr(Expr e, Map<String, Value> env) {
    if (e instanceof Call c) {
      return (c.name().equals("cols") || c.name().equals("center") || MatrixFunctions.isMatrixValued(c.name()))
          && !model.functions().containsKey(c.name());
    }
    if (e instanceof Binary b) {
      // as the checker's: A + B, A - B, A * B, and a matrix scaled (s * A, A / s)
      return switch (b.op()) {
        case ADD, SUB -> isMatrixExpr(b.left(), env) && isMatrixExpr(b.right(), env);
        case MUL -> isMatrixExpr(b.right(), env);
        case DIV -> isMatrixExpr(b.left(), env) && !isMatrixExpr(b.right(), env);
        default -> false;
      };
    }
    return e instanceof Ident id && !env.containsKey(id.name()) && matrices.containsKey(id.name());
  }

  /** The value of a matrix function, a product, sum or difference of matrices, a matrix scaled (docs/language.md, "Matrices"). */
  private double[][] denseMatrix(Expr e) {
    if (e instanceof Binary b && b.op() == Ast.BinaryOp.DIV) {
      return Matrices.scale(matrix(b.left()), real(eval(b.right(), topLevel), 0), true);
    }
    if (e instanceof Binary b && !isMatrixExpr(b.left(), topLevel)) {
      return Matrices.scale(matrix(b.right()), real(eval(b.left(), topLevel), 0), false);
    }
    if (e instanceof Binary b) {
      double[][] x = matrix(b.left());
      double[][] y = matrix(b.right());
      return switch (b.op()) {
        case MUL -> Matrices.product(x, y);
        case ADD -> Matrices.combine(x, y, 1);
        default -> Matrices.combine(x, y, -1);
      };
    }
    Call c = (Call) e;
    return switch (c.name()) {
      case "gp_exp_quad_cov" -> Matrices.expQuadCov(values(eval(c.args().get(0), topLevel)),
          real(eval(c.args().get(1), topLevel), 0), real(eval(c.args().get(2), topLevel), 0));
      case "cholesky_decompose" -> Matrices.cholesky(matrix(c.args().get(0)));
      case "add_diag" -> Matrices.addDiagonal(matrix(c.args().get(0)), values(eval(c.args().get(1), topLevel)));
      case "diag_matrix" -> {
        double[] d = values(eval(c.args().get(0), topLevel));
        yield Matrices.addDiagonal(Matrices.zeros(d.length), d);
      }
      case "rep_matrix" -> {
        double x = real(eval(c.args().get(0), topLevel), 0);
        double[][] m = new double[columnBound(c.args().get(1))][columnBound(c.args().get(2))];
        for (double[] row : m) {
          Arrays.fill(row, x);
        }
        yield m;
      }
      default -> Matrices.transpose(matrix(c.args().get(0)));
    };
  }

  /** The elements of a scalar or a vector. */
  private static double[] values(Value v) {
    return v instanceof Vec vec ? vec.values() : new double[] {real(v, 0)};
  }

  /** The functions that take a matrix and give a scalar or a vector. */
  private Value matrixArguments(Call c) {
    switch (c.name()) {
      case "rep_vector" -> {
        double[] v = new double[columnBound(c.args().get(1))];
        Arrays.fill(v, real(eval(c.args().get(0), topLevel), 0));
        return new Vec(v);
      }
      case "mdivide_left_tri_low" -> {
        return new Vec(Matrices.forwardSubstitution(matrix(c.args().get(0)), values(eval(c.args().get(1), topLevel))));
      }
      case "diagonal" -> {
        double[] d = Matrices.diagonal(matrix(c.args().get(0)));
        return d.length == 1 ? new Real(d[0]) : new Vec(d);
      }
      case "log_determinant" -> {
        double[][] a = matrix(c.args().get(0));
        return new Real(Matrices.solve(a, new double[a.length]).logAbsDeterminant());
      }
      case "log_determinant_spd" -> {
        double logDet = 0;
        for (double d : Matrices.diagonal(Matrices.cholesky(matrix(c.args().get(0))))) {
          logDet += 2 * Math.log(d);
        }
        return new Real(logDet);
      }
      case "multi_normal_lpdf" -> {
        // -(y - mu)^T Sigma^-1 (y - mu) / 2 - log |Sigma| / 2 - n log(2 pi) / 2, by elimination
        double[][] sigma = matrix(c.args().get(2));
        int n = sigma.length;
        double[] y = values(eval(c.args().get(0), topLevel));
        Value mu = eval(c.args().get(1), topLevel);
        double[] centered = new double[n];
        for (int i = 0; i < n; i++) {
          centered[i] = y[i] - real(mu, at(mu, i));
        }
        Matrices.Solved solved = Matrices.solve(sigma, centered);
        double quadratic = 0;
        for (int i = 0; i < n; i++) {
          quadratic += centered[i] * solved.x()[i];
        }
        return new Real(-0.5 * quadratic - 0.5 * solved.logAbsDeterminant() - 0.5 * n * Math.log(2 * Math.PI));
      }
      default -> {
        double[][] l = matrix(c.args().get(2));
        int n = l.length;
        double[] y = values(eval(c.args().get(0), topLevel));
        Value mu = eval(c.args().get(1), topLevel);
        double[] centered = new double[n];
        for (int i = 0; i < n; i++) {
          centered[i] = y[i] - real(mu, at(mu, i));
        }
        double[] r = Matrices.forwardSubstitution(l, centered);
        double lp = -0.5 * n * Math.log(2 * Math.PI);
        for (int i = 0; i < n; i++) {
          lp += -0.5 * r[i] * r[i] - Math.log(l[i][i]);
        }
        return new Real(lp);
      }
    }
  }

  /** A data matrix expression's value, by rows. */
  private double[][] matrix(Expr e) {
    if (e instanceof Binary || e instanceof Call c && MatrixFunctions.isMatrixValued(c.name())
        && !model.functions().containsKey(c.name())) {
      return denseMatrix(e);
    }
    if (e instanceof Ident id) {
      return matrices.get(id.name());
    }
    Call c = (Call) e;
    double[][] m = matrix(c.args().get(0));
    if (c.name().equals("cols")) {
      int from = columnBound(c.args().get(1));
      int to = columnBound(c.args().get(2));
      double[][] out = new double[m.length][];
      for (int r = 0; r < m.length; r++) {
        out[r] = Arrays.copyOfRange(m[r], from, to);
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

  /** Each column's sum over its row count. */
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

  /** A bound of {@code cols}. */
  private int columnBound(Expr e) {
    return ColumnBounds.value(e, name -> (int) model.data().get(name).elements()[0]);
  }

  /** Stan's sd: sqrt(sum((x - mean)^2) / (n - 1)). */
  private static double sd(double[] x) {
    double mean = sum(x) / x.length;
    double squares = 0;
    for (double v : x) {
      squares += (v - mean) * (v - mean);
    }
    return Math.sqrt(squares / (x.length - 1));
  }

  private Value eval(Expr e, Map<String, Value> env) {
    if (e instanceof Num n) {
      return new Real(n.value());
    } else if (e instanceof Ident id) {
      Value v = env.get(id.name());
      return v != null ? v : new Real(Builtin.CONSTANTS.get(id.name()));
    } else if (e instanceof Unary u) {
      Value v = eval(u.operand(), env);
      return switch (u.op()) {
        case NEG -> unary(v, x -> -x);
        case PLUS -> numeric(v);
        case NOT -> mapBool(v, v, (a, b, i) -> !bool(a, i));
      };
    } else if (e instanceof Binary b && b.op() == Ast.BinaryOp.MUL && isMatrixExpr(b.left(), env)) {
      return matrixTimesVector(matrix(b.left()), ((Vec) numeric(eval(b.right(), env))).values());
    } else if (e instanceof Binary b) {
      return evalBinary(b, env);
    } else if (e instanceof Conditional c) {
      Value cond = eval(c.cond(), env);
      Value then = eval(c.then(), env);
      Value otherwise = eval(c.otherwise(), env);
      int n = Math.max(length(cond), Math.max(length(then), length(otherwise)));
      if (n == 0) {
        return numeric(bool(cond, 0) ? then : otherwise);
      }
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        out[i] = bool(cond, length(cond) == 0 ? 0 : i)
            ? real(then, length(then) == 0 ? 0 : i)
            : real(otherwise, length(otherwise) == 0 ? 0 : i);
      }
      return new Vec(out);
    } else if (e instanceof Call c && c.name().equals(Ast.WINDOW)) {
      // v[a:b] with the loop's index bound as a number: elements a .. b - 1
      double[] v = ((Vec) eval(c.args().get(0), env)).values();
      int from = (int) real(eval(c.args().get(1), env), 0);
      int to = (int) real(eval(c.args().get(2), env), 0);
      return to - from == 1 ? new Real(v[from]) : new Vec(Arrays.copyOfRange(v, from, to));
    } else if (e instanceof Call c && c.name().equals("reverse") && !model.functions().containsKey("reverse")) {
      Value v = numeric(eval(c.args().get(0), env));
      if (!(v instanceof Vec vec)) {
        return v;
      }
      double[] x = vec.values();
      double[] out = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        out[i] = x[x.length - 1 - i];
      }
      return new Vec(out);
    } else if (e instanceof Call c) {
      return evalCall(c, env);
    } else if (e instanceof Index ix && !(ix.index() instanceof Num)) {
      return gather((Vec) eval(ix.target(), env), eval(ix.index(), env));
    } else if (e instanceof Index ix) {
      Value target = eval(ix.target(), env);
      int i = Integer.parseInt(((Num) ix.index()).text());
      return target instanceof Vec v ? new Real(v.values()[i]) : new Bool(((BoolVec) target).values()[i]);
    } else {
      List<Expr> elements = ((VectorLit) e).elements();
      double[] out = new double[elements.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = real(eval(elements.get(i), env), 0);
      }
      return new Vec(out);
    }
  }

  private Value evalBinary(Binary b, Map<String, Value> env) {
    Value l = eval(b.left(), env);
    Value r = eval(b.right(), env);
    return switch (b.op()) {
      case ADD -> binary(l, r, (x, y) -> x + y);
      case SUB -> binary(l, r, (x, y) -> x - y);
      case MUL -> binary(l, r, (x, y) -> x * y);
      case DIV -> binary(l, r, (x, y) -> x / y);
      case POW -> binary(l, r, Math::pow);
      case LT -> mapBool(l, r, (x, y, i) -> real(x, at(x, i)) < real(y, at(y, i)));
      case LE -> mapBool(l, r, (x, y, i) -> real(x, at(x, i)) <= real(y, at(y, i)));
      case GT -> mapBool(l, r, (x, y, i) -> real(x, at(x, i)) > real(y, at(y, i)));
      case GE -> mapBool(l, r, (x, y, i) -> real(x, at(x, i)) >= real(y, at(y, i)));
      case EQ -> mapBool(l, r, (x, y, i) -> equal(x, y, i));
      case NE -> mapBool(l, r, (x, y, i) -> !equal(x, y, i));
      case AND -> mapBool(l, r, (x, y, i) -> bool(x, at(x, i)) && bool(y, at(y, i)));
      case OR -> mapBool(l, r, (x, y, i) -> bool(x, at(x, i)) || bool(y, at(y, i)));
    };
  }

  /** The element of a possibly-broadcast value used at position i. */
  private static int at(Value v, int i) {
    return length(v) == 0 ? 0 : i;
  }

  private static boolean equal(Value x, Value y, int i) {
    if (x instanceof Real || x instanceof Vec || y instanceof Real || y instanceof Vec) {
      return real(x, at(x, i)) == real(y, at(y, i));
    }
    return bool(x, at(x, i)) == bool(y, at(y, i));
  }

  private Value evalCall(Call c, Map<String, Value> env) {
    if (c.name().equals("col_means") && !model.functions().containsKey(c.name())) {
      return new Vec(columnMeans(matrix(c.args().get(0))));
    }
    if (MatrixFunctions.takesMatrix(c.name()) && !model.functions().containsKey(c.name())) {
      return matrixArguments(c);
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
    args.replaceAll(Interpreter::numeric);
    if (observer != null) {
      observe(c, b, args);
    }
    return switch (b) {
      case SIN -> unary(args.get(0), Math::sin);
      case COS -> unary(args.get(0), Math::cos);
      case TAN -> unary(args.get(0), Math::tan);
      case ASIN -> unary(args.get(0), Math::asin);
      case ACOS -> unary(args.get(0), Math::acos);
      case ATAN -> unary(args.get(0), Math::atan);
      case ATAN2 -> binary(args.get(0), args.get(1), Math::atan2);
      case SINH -> unary(args.get(0), Math::sinh);
      case COSH -> unary(args.get(0), Math::cosh);
      case TANH -> unary(args.get(0), Math::tanh);
      case EXP -> unary(args.get(0), Math::exp);
      case EXPM1 -> unary(args.get(0), Math::expm1);
      case LOG -> unary(args.get(0), Math::log);
      case LOG1P -> unary(args.get(0), Math::log1p);
      case SQRT -> unary(args.get(0), Math::sqrt);
      case SQUARE -> unary(args.get(0), MathFunctions::square);
      case ABS -> unary(args.get(0), Math::abs);
      case POW -> binary(args.get(0), args.get(1), Math::pow);
      case MIN -> binary(args.get(0), args.get(1), Math::min);
      case MAX -> binary(args.get(0), args.get(1), Math::max);
      case SIGMOID -> unary(args.get(0), MathFunctions::sigmoid);
      case LOGIT -> unary(args.get(0), MathFunctions::logit);
      case SOFTPLUS -> unary(args.get(0), MathFunctions::softplus);
      case LOGADDEXP -> binary(args.get(0), args.get(1), MathFunctions::logaddexp);
      case ERF -> unary(args.get(0), MathFunctions::erf);
      case ERFC -> unary(args.get(0), MathFunctions::erfc);
      case LGAMMA -> unary(args.get(0), MathFunctions::lgamma);
      case SUM -> new Real(sum(reals(args.get(0))));
      case MEAN -> new Real(sum(reals(args.get(0))) / length(args.get(0)));
      case NORM -> new Real(Math.sqrt(sumOfSquares(reals(args.get(0)))));
      case SD -> new Real(sd(reals(args.get(0))));
      case DOT -> new Real(dot(reals(args.get(0)), reals(args.get(1))));
      case LOG_MIX -> mapReal(args, x -> MathFunctions.logaddexp(Math.log(x[0]) + x[1], MathFunctions.log1p(-x[0]) + x[2]));
      case LOGSUMEXP, LOG_SUM_EXP -> new Real(MathFunctions.logsumexp(
          args.stream().flatMapToDouble(v -> Arrays.stream(reals(v))).toArray()));
      case NORMAL_LPDF, STUDENT_T_LPDF, CAUCHY_LPDF, EXPONENTIAL_LPDF, GAMMA_LPDF, BETA_LPDF, LOGNORMAL_LPDF,
          BERNOULLI_LOGIT_LPMF, POISSON_LOG_LPMF, BINOMIAL_LOGIT_LPMF -> new Real(logDensity(b, args));
    };
  }

  private void observe(Call c, Builtin b, List<Value> args) {
    List<double[]> values = new ArrayList<>();
    boolean[] vector = new boolean[args.size()];
    for (int k = 0; k < args.size(); k++) {
      Value v = args.get(k);
      if (!(v instanceof Real || v instanceof Vec)) {
        return;
      }
      values.add(reals(v));
      vector[k] = v instanceof Vec;
    }
    observer.builtinCall(c, b, values, vector);
  }

  /** A distribution's terms summed over the broadcast elements of its arguments. */
  private static double logDensity(Builtin b, List<Value> args) {
    int n = args.stream().mapToInt(Interpreter::length).max().orElse(0);
    double total = 0;
    double[] x = new double[args.size()];
    for (int i = 0; i < Math.max(1, n); i++) {
      for (int k = 0; k < x.length; k++) {
        x[k] = real(args.get(k), length(args.get(k)) == 0 ? 0 : i);
      }
      total += ReferenceDensities.of(b, x);
    }
    return total;
  }

  private static double sum(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s;
  }

  private static double sumOfSquares(double[] v) {
    return dot(v, v);
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
