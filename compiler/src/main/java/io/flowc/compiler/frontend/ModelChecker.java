package io.flowc.compiler.frontend;

import io.flowc.compiler.diag.Diagnostic;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.diag.Span;
import io.flowc.compiler.frontend.Ast.Binary;
import io.flowc.compiler.frontend.Ast.BinaryOp;
import io.flowc.compiler.frontend.Ast.Call;
import io.flowc.compiler.frontend.Ast.Conditional;
import io.flowc.compiler.frontend.Ast.Contribution;
import io.flowc.compiler.frontend.Ast.Expr;
import io.flowc.compiler.frontend.Ast.FnDecl;
import io.flowc.compiler.frontend.Ast.Ident;
import io.flowc.compiler.frontend.Ast.Index;
import io.flowc.compiler.frontend.Ast.LetDecl;
import io.flowc.compiler.frontend.Ast.Name;
import io.flowc.compiler.frontend.Ast.Num;
import io.flowc.compiler.frontend.Ast.ParamDecl;
import io.flowc.compiler.frontend.Ast.Statement;
import io.flowc.compiler.frontend.Ast.Unary;
import io.flowc.compiler.frontend.Ast.VectorLit;
import io.flowc.runtime.data.DataLayout;
import io.flowc.runtime.data.DataSet;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Name resolution and type checking of a parsed model. Every independent error is reported;
 * an expression already found wrong has type {@link Type#ERROR} and causes no further messages.
 *
 * <p>Scoping: parameters and lets are visible after their declaration; functions are visible
 * everywhere, see only their own arguments and the constants (they are pure), and may not call
 * themselves directly or through other functions. A function is checked once on its own (errors
 * that do not depend on argument shapes) and again for each distinct list of argument types it
 * is called with (shape errors; these name the call site).
 */
final class ModelChecker {
  /** Largest parameter vector accepted: far beyond any model the interpreter can evaluate usefully. */
  static final int MAX_PARAM_SIZE = 1_000_000;

  private final SourceFile source;
  private final Ast.Model model;
  private final List<Diagnostic> diagnostics = new ArrayList<>();
  private final Set<Span> reportedSpans = new HashSet<>();

  /** Every parameter and let, declared or not yet, for "used before its definition". */
  private final Map<String, Statement> allGlobals = new HashMap<>();
  /** Parameters and lets declared so far, with their types. */
  private final Map<String, Type> visible = new LinkedHashMap<>();
  private final Map<String, FnDecl> functions = new LinkedHashMap<>();
  private final Set<String> parameterNames = new HashSet<>();
  /** Lets whose value depends on a parameter, with the parameter as messages name it. */
  private final Map<String, String> letParameters = new HashMap<>();
  private final Set<String> recursive = new HashSet<>();
  private final Map<FnDecl, Map<List<Type>, Type>> instantiations = new HashMap<>();

  /** The values data declarations are checked against (null: none given). */
  private final DataSet data;
  /** Data declared so far, laid out in the data region in declaration order. */
  private final Map<String, DataLayout.Variable> dataVariables = new LinkedHashMap<>();
  /** Values of the {@code data int} scalars declared so far: what sizes may name. */
  private final Map<String, Integer> sizes = new HashMap<>();
  private int dataOffset;
  private boolean reportedMissingData;
  private final Set<String> usedAsSize = new HashSet<>();
  /** Data declarations whose first dimension a size names: the candidates for sizes bound at run time. */
  private final Map<String, String> rowSizes = new LinkedHashMap<>();
  /** Sizes that shape parameters or count a matrix's columns: fixed when the model is compiled. */
  private final Set<String> fixedSizes = new HashSet<>();
  /** Lets whose values are data matrices ({@code center(cols(X, 1, K))}), with their rows and columns. */
  private final Map<String, int[]> matrixLets = new LinkedHashMap<>();
  /** Matrix lets computed by the matrix functions (of parameters or data), not data matrices' columns. */
  private final Set<String> denseLets = new HashSet<>();
  /** The least values free sizes need (literal indices, loops over them): checked when data are bound. */
  private final List<DataLayout.LeastSize> leastSizes = new ArrayList<>();
  /** Data integers used as indices, with the lengths they index: checked again when data are bound. */
  private final Set<DataLayout.IndexCheck> indexChecks = new java.util.LinkedHashSet<>();

  /** States ({@code state NAME = EXPR;}) declared so far, with their types. */
  private final Map<String, Type> states = new HashMap<>();
  /** The loop whose body is being checked; null outside loops. */
  private LoopScope loop;

  private ModelChecker(Ast.Model model, DataSet data) {
    this.model = model;
    this.data = data;
    this.source = model.source();
  }

  record Result(CheckedModel model, List<Diagnostic> diagnostics) {}

  static Result check(Ast.Model model, DataSet data) {
    ModelChecker checker = new ModelChecker(model, data);
    CheckedModel checked = checker.run();
    return new Result(checker.diagnostics.isEmpty() ? checked : null, List.copyOf(checker.diagnostics));
  }

  /** Where an expression is checked: at top level, or in a function with its argument types. */
  private record Scope(FnDecl fn, Map<String, Type> args, Span callSite) {
    static final Scope TOP = new Scope(null, Map.of(), null);

    boolean inFunction() {
      return fn != null;
    }
  }

  private void error(Span span, String message) {
    if (reportedSpans.add(span)) {
      diagnostics.add(Diagnostic.error(source, span, message));
    }
  }

  private void error(Scope scope, Span span, String message) {
    if (scope.callSite() != null) {
      message += " (in '" + scope.fn().name().text() + "' called at " + scope.callSite() + ")";
    }
    error(span, message);
  }

  private CheckedModel run() {
    collectGlobalsAndFunctions();
    findRecursion();
    for (FnDecl fn : functions.values()) {
      Map<String, Type> unknownArgs = new HashMap<>();
      fn.params().forEach(p -> unknownArgs.put(p.text(), Type.ERROR));
      check(fn.body(), new Scope(fn, unknownArgs, null));
    }
    List<CheckedModel.Param> params = new ArrayList<>();
    Map<String, Type> letTypes = new LinkedHashMap<>();
    int offset = 0;
    for (Statement s : model.statements()) {
      if (s instanceof Ast.DataDecl d) {
        checkData(d);
      } else if (s instanceof ParamDecl p) {
        int size = paramSize(p);
        if (p.size() instanceof Ident id) {
          fixedSizes.add(id.name());
        }
        if (declare(p.name(), p)) {
          if (size < 0) {
            visible.put(p.name().text(), Type.ERROR); // already reported; uses stay quiet
            continue;
          }
          // bounds first: they see earlier parameters, not the one they bound
          double lower = bound(p, p.lower(), Double.NEGATIVE_INFINITY, size);
          double upper = bound(p, p.upper(), Double.POSITIVE_INFINITY, size);
          visible.put(p.name().text(), size == 0 ? Type.REAL : Type.realVector(size));
          parameterNames.add(p.name().text());
          if (lower >= upper) {
            error(p.lower().span(), "the bounds of '" + p.name().text() + "' are empty: the lower bound "
                + lower + " is not below the upper bound " + upper);
          }
          params.add(new CheckedModel.Param(p.name().text(), size, offset, lower, upper, isOrdered(p, size), p));
          offset += Math.max(1, size);
        }
      } else if (s instanceof LetDecl l && isMatrixExpr(l.value())) {
        int[] dims = checkMatrix(l.value(), Scope.TOP);
        if (l.derived()) {
          error(l.value().span(), "'derived' needs a real value (a scalar or a vector), got a matrix");
        }
        if (declare(l.name(), l)) {
          visible.put(l.name().text(), Type.ERROR);
          if (dims != null) {
            matrixLets.put(l.name().text(), dims);
          }
          if (!isDataMatrixExpr(l.value())) {
            denseLets.add(l.name().text());
          }
        }
      } else if (s instanceof LetDecl l) {
        Type type = check(l.value(), Scope.TOP);
        if (l.derived() && type.isBool()) {
          error(l.value().span(), "'derived' needs a real value (a scalar or a vector), got " + type.describe());
        }
        if (declare(l.name(), l)) {
          visible.put(l.name().text(), type);
          letTypes.put(l.name().text(), type);
          String parameter = parameterIn(l.value(), Scope.TOP);
          if (parameter != null) {
            letParameters.put(l.name().text(), parameter);
          }
        }
      } else if (s instanceof Contribution c) {
        checkContribution(c);
      } else if (s instanceof Ast.StateDecl st) {
        checkState(st);
      } else if (s instanceof Ast.Assign a) {
        error(a.name().span(), "'" + a.name().text() + " = ...' assigns a state inside a 'for' loop; name a value "
            + "with 'let " + a.name().text() + " = ...;'");
      } else if (s instanceof Ast.Loop l) {
        checkLoop(l);
      }
    }
    String name = model.name().text();
    // both anchor at the model's name: added directly, since error() keeps one message a span
    if (params.isEmpty() && model.statements().stream().noneMatch(ParamDecl.class::isInstance)) {
      diagnostics.add(Diagnostic.error(source, model.name().span(),
          "model '" + name + "' declares no parameters (add 'param z[2];')"));
    }
    if (model.statements().stream().flatMap(ModelChecker::withLoopBodies).noneMatch(Contribution.class::isInstance)) {
      diagnostics.add(Diagnostic.error(source, model.name().span(),
          "model '" + name + "' has no 'potential' or 'logp +=' statement"));
    }
    DataLayout layout = new DataLayout(dataVariables.values().stream()
        .map(v -> usedAsSize.contains(v.name()) ? v.asSize(sizes.get(v.name())) : v).toList(), List.copyOf(indexChecks));
    double[] values = data == null || !diagnostics.isEmpty() ? new double[layout.size()] : layout.pack(data);
    return new CheckedModel(model, params, functions, letTypes, layout, values, data,
        new CheckedModel.Sizes(Map.copyOf(rowSizes), usedAsSize.stream().filter(n -> !fixedSizes.contains(n))
            .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new)), List.copyOf(leastSizes)))
        .withMatrixLets(matrixLets);
  }

  // ---- data ---------------------------------------------------------------------------------

  private void checkData(Ast.DataDecl d) {
    String n = d.name().text();
    int[] dims = new int[d.dims().size()];
    boolean sized = true;
    for (int i = 0; i < dims.length; i++) {
      dims[i] = size(d.dims().get(i), n);
      sized &= dims[i] > 0;
      if (d.dims().get(i) instanceof Ident id) {
        if (i == 0) {
          rowSizes.put(n, id.name());
        } else {
          fixedSizes.add(id.name());
        }
      }
    }
    if (!declare(d.name(), d)) {
      return;
    }
    if (data == null) {
      if (!reportedMissingData) {
        reportedMissingData = true;
        error(d.span(), "model '" + model.name().text() + "' declares data ('" + n
          + "'): give its values (flowc: --data FILE.json; @FlowModel: data = \"FILE.json\")");
      }
      visible.put(n, Type.ERROR);
      return;
    }
    if (!sized) {
      visible.put(n, Type.ERROR);
      return;
    }
    DataLayout.Variable v = new DataLayout.Variable(n, d.integer(), dims, dataOffset);
    String problem = DataLayout.problem(v, data);
    if (problem != null) {
      error(d.span(), problem);
      visible.put(n, Type.ERROR);
      return;
    }
    dataOffset += v.elementCount();
    dataVariables.put(n, v);
    if (dims.length == 0 && d.integer()) {
      sizes.put(n, (int) data.get(n).elements()[0]);
    }
    // a matrix has no type of its own: it may only multiply a vector, which checkBinary handles
    visible.put(n, dims.length == 0 ? Type.REAL : dims.length == 1 ? Type.realVector(dims[0]) : Type.ERROR);
  }

  /** {@code X * v}: a vector of X's row count. Its own method: checkBinary's frame stays small for deep chains. */
  private Type checkMatrixProduct(Binary b, Scope scope) {
    int[] x = checkMatrix(b.left(), scope);
    // a comparison of data is its 0/1 values here too (X * (y > 0)), as everywhere a real is expected
    Type v = numeric(b.right(), check(b.right(), scope), scope);
    if (v.isError() || x == null) {
      return Type.ERROR;
    }
    if (!v.isReal() || v.length() != x[1]) {
      String name = b.left() instanceof Ident id ? "'" + id.name() + "'" : "the matrix";
      error(scope, b.opSpan(), name + " (" + x[0] + " x " + x[1] + ") can multiply a vector of length " + x[1]
          + ", got " + v.describe() + (v.isReal() && v.isScalar() ? " (a scalar scales a matrix from the left: 's * A')" : ""));
      return Type.ERROR;
    }
    return Type.realVector(x[0]);
  }

  private boolean isMatrix(Expr e) {
    return e instanceof Ident id && (matrixLets.containsKey(id.name())
        || dataVariables.containsKey(id.name()) && dataVariables.get(id.name()).dims().length == 2);
  }

  /**
   * Whether an expression is a data matrix: a data matrix or matrix let by name, or
   * {@code cols(M, from, to)} or {@code center(M)} of one (a user function of that name aside).
   */
  private boolean isMatrixExpr(Expr e) {
    if (e instanceof Call c && (c.name().equals("cols") || c.name().equals("center")) && !functions.containsKey(c.name())) {
      return true;
    }
    return isMatrix(e) || isMatrixCall(e) || isMatrixArithmetic(e);
  }

  /** A data matrix, a let of one, or cols/center of one: what cols, center and col_means take. */
  private boolean isDataMatrixExpr(Expr e) {
    if (e instanceof Ident id) {
      return isMatrix(id) && !denseLets.contains(id.name());
    }
    return e instanceof Call c && (c.name().equals("cols") || c.name().equals("center")) && !functions.containsKey(c.name());
  }

  /** A call of a function whose value is a matrix ({@link MatrixFunctions}), a user function of that name aside. */
  private boolean isMatrixCall(Expr e) {
    return e instanceof Call c && MatrixFunctions.isMatrixValued(c.name()) && !functions.containsKey(c.name());
  }

  /**
   * {@code A * B}, {@code A + B} or {@code A - B} of two matrices, or a matrix scaled: {@code s * A},
   * {@code A / s} (the scalar on the left of a product, as {@code A * v} is the product with a vector).
   */
  private boolean isMatrixArithmetic(Expr e) {
    if (!(e instanceof Binary b)) {
      return false;
    }
    return switch (b.op()) {
      case ADD, SUB -> isMatrixExpr(b.left()) && isMatrixExpr(b.right());
      case MUL -> isMatrixExpr(b.right());
      case DIV -> isMatrixExpr(b.left()) && !isMatrixExpr(b.right());
      default -> false;
    };
  }

  /** {@code s * A} or {@code A / s}, as {@link #isMatrixArithmetic} takes them. */
  private boolean isScaledMatrix(Binary b) {
    return b.op() == BinaryOp.DIV || b.op() == BinaryOp.MUL && !isMatrixExpr(b.left());
  }

  /**
   * The rows and columns of a data matrix expression ({@link #isMatrixExpr}); null after
   * reporting what is wrong. {@code cols(M, from, to)} takes columns from .. to - 1 (0-based,
   * bounds integer literals or {@code data int} values, plus or minus a literal), {@code center(M)}
   * subtracts each column's mean.
   */
  private int[] checkMatrix(Expr e, Scope scope) {
    if (isMatrixCall(e)) {
      return checkMatrixCall((Call) e, scope);
    }
    if (isMatrixArithmetic(e)) {
      return checkMatrixArithmetic((Binary) e, scope);
    }
    if (e instanceof Ident id) {
      int[] let = matrixLets.get(id.name());
      if (let != null) {
        return let;
      }
      DataLayout.Variable x = dataVariables.get(id.name());
      return x == null ? null : x.dims().clone();
    }
    Call c = (Call) e;
    int arity = c.name().equals("cols") ? 3 : 1;
    if (c.args().size() != arity) {
      error(scope, c.span(), "'" + c.name() + "' takes " + plural(arity, "argument") + ", got " + c.args().size());
      return null;
    }
    Expr m = c.args().get(0);
    if (!isDataMatrixExpr(m)) {
      Type t = isMatrixExpr(m) ? Type.REAL : check(m, scope);
      if (!t.isError()) {
        error(scope, m.span(), "'" + c.name() + "' needs a data matrix, got " + describe(m, t));
      }
      return null;
    }
    int[] dims = checkMatrix(m, scope);
    if (dims == null || arity == 1) {
      return dims;
    }
    int from = columnBound(c.args().get(1), dims[1], scope);
    int to = columnBound(c.args().get(2), dims[1], scope);
    if (from < 0 || to < 0) {
      return null;
    }
    if (from >= to) {
      error(scope, c.span(), "'cols' needs from < to, got " + from + " and " + to);
      return null;
    }
    return new int[] {dims[0], to - from};
  }

  /** As in messages: a matrix's rows and columns, or the type of another value. */
  private String describe(Expr e, Type t) {
    if (isMatrixExpr(e)) {
      int[] dims = checkMatrix(e, Scope.TOP);
      return dims == null ? "a matrix" : "a " + dims[0] + " x " + dims[1] + " matrix";
    }
    return t.describe();
  }

  /** The rows and columns of a matrix argument; null after reporting (also when it is not a matrix). */
  private int[] matrixArgument(Call c, int k, Scope scope) {
    Expr e = c.args().get(k);
    if (isMatrixExpr(e)) {
      return checkMatrix(e, scope);
    }
    Type t = check(e, scope);
    if (!t.isError()) {
      error(scope, e.span(), "'" + functionName(c) + "' needs a matrix, got " + t.describe());
    }
    return null;
  }

  /** A function as messages name it: a sampling statement by its distribution. */
  private static String functionName(Call c) {
    return c.sampling() ? c.distribution() : c.name();
  }

  /** A square matrix argument's size; -1 after reporting. */
  private int squareArgument(Call c, int k, Scope scope) {
    int[] dims = matrixArgument(c, k, scope);
    if (dims == null) {
      return -1;
    }
    if (dims[0] != dims[1]) {
      error(scope, c.args().get(k).span(), "'" + functionName(c) + "' needs a square matrix, got a " + dims[0] + " x " + dims[1]
          + " matrix");
      return -1;
    }
    return dims[0];
  }

  /**
   * A real argument that is a scalar ({@code length} 0), a vector of {@code length}, or either
   * ({@code length} -1 a vector of any length, -2 a scalar or a vector of {@code alt}); its
   * length (0 for a scalar), or -1 after reporting.
   */
  private int realArgument(Call c, int k, int length, int alt, String what, Scope scope) {
    Expr e = c.args().get(k);
    if (isMatrixExpr(e)) {
      error(scope, e.span(), "'" + functionName(c) + "' needs " + what + ", got " + describe(e, Type.REAL));
      return -1;
    }
    Type t = numeric(e, check(e, scope), scope);
    if (t.isError()) {
      return -1;
    }
    boolean fits = t.isReal() && switch (length) {
      case -1 -> t.isVector();
      case -2 -> t.isScalar() || t.length() == alt;
      default -> t.length() == length;
    };
    if (!fits) {
      error(scope, e.span(), "'" + functionName(c) + "' needs " + what + ", got " + t.describe());
      return -1;
    }
    return t.length();
  }

  private boolean arity(Call c, int arity, Scope scope) {
    if (c.args().size() != arity) {
      if (c.sampling()) {
        error(scope, c.span(), "'" + c.distribution() + "' takes " + plural(arity - 1, "argument") + ", got "
            + (c.args().size() - 1));
      } else {
        error(scope, c.span(), "'" + c.name() + "' takes " + plural(arity, "argument") + ", got " + c.args().size());
      }
      return false;
    }
    return true;
  }

  /** The rows and columns of a matrix function's value (docs/language.md, "Matrices"); null after reporting. */
  private int[] checkMatrixCall(Call c, Scope scope) {
    switch (c.name()) {
      case "gp_exp_quad_cov" -> {
        if (!arity(c, 3, scope)) {
          return null;
        }
        int n = realArgument(c, 0, -1, 0, "a vector of points", scope);
        int alpha = realArgument(c, 1, 0, 0, "a scalar magnitude", scope);
        int rho = realArgument(c, 2, 0, 0, "a scalar length scale", scope);
        return n < 0 || alpha < 0 || rho < 0 ? null : new int[] {n, n};
      }
      case "cholesky_decompose" -> {
        if (!arity(c, 1, scope)) {
          return null;
        }
        int n = squareArgument(c, 0, scope);
        return n < 0 ? null : new int[] {n, n};
      }
      case "add_diag" -> {
        if (!arity(c, 2, scope)) {
          return null;
        }
        int n = squareArgument(c, 0, scope);
        if (n < 0) {
          return null;
        }
        int d = realArgument(c, 1, -2, n, "a scalar or a vector of length " + n, scope);
        return d < 0 ? null : new int[] {n, n};
      }
      case "diag_matrix" -> {
        if (!arity(c, 1, scope)) {
          return null;
        }
        int n = realArgument(c, 0, -1, 0, "a vector", scope);
        return n < 0 ? null : new int[] {n, n};
      }
      case "rep_matrix" -> {
        if (!arity(c, 3, scope)) {
          return null;
        }
        int x = realArgument(c, 0, 0, 0, "a scalar", scope);
        int rows = repetitions(c, 1);
        int cols = repetitions(c, 2);
        return x < 0 || rows < 0 || cols < 0 ? null : new int[] {rows, cols};
      }
      default -> {
        // transpose
        if (!arity(c, 1, scope)) {
          return null;
        }
        int[] dims = matrixArgument(c, 0, scope);
        return dims == null ? null : new int[] {dims[1], dims[0]};
      }
    }
  }

  /** {@code A * B}, {@code A + B}, {@code A - B} of matrices: the result's rows and columns, or null after reporting. */
  private int[] checkMatrixArithmetic(Binary b, Scope scope) {
    if (isScaledMatrix(b)) {
      return checkScaledMatrix(b, scope);
    }
    int[] x = checkMatrix(b.left(), scope);
    int[] y = checkMatrix(b.right(), scope);
    if (x == null || y == null) {
      return null;
    }
    boolean product = b.op() == BinaryOp.MUL;
    if (product ? x[1] != y[0] : x[0] != y[0] || x[1] != y[1]) {
      error(scope, b.opSpan(), "'" + b.op().symbol + "' of a " + x[0] + " x " + x[1] + " and a " + y[0] + " x " + y[1]
          + " matrix: " + (product ? "the left one's columns must be the right one's rows" : "the shapes must match"));
      return null;
    }
    return product ? new int[] {x[0], y[1]} : x;
  }

  /** {@code s * A} or {@code A / s}: A's rows and columns, or null after reporting (s must be a real scalar). */
  private int[] checkScaledMatrix(Binary b, Scope scope) {
    boolean divides = b.op() == BinaryOp.DIV;
    Expr s = divides ? b.right() : b.left();
    int[] dims = checkMatrix(divides ? b.left() : b.right(), scope);
    Type t = numeric(s, check(s, scope), scope);
    if (t.isError() || dims == null) {
      return null;
    }
    if (!t.isReal() || !t.isScalar()) {
      error(scope, s.span(), "'" + b.op().symbol + "' " + (divides ? "divides a matrix by a scalar" : "scales a matrix by a scalar")
          + ", got " + t.describe());
      return null;
    }
    return dims;
  }

  /**
   * A count of rep_vector or rep_matrix: a positive integer literal or a {@code data int}, fixed
   * when the model is compiled (a shape); -1 after reporting.
   */
  private int repetitions(Call c, int k) {
    Expr e = c.args().get(k);
    if (e instanceof Ident id && sizes.containsKey(id.name())) {
      fixedSizes.add(id.name());
    }
    return size(e, c.name());
  }

  /** The functions that take matrices and give a scalar or a vector. */
  private Type checkMatrixArguments(Call c, Scope scope) {
    switch (c.name()) {
      case "rep_vector" -> {
        if (!arity(c, 2, scope)) {
          return Type.ERROR;
        }
        int x = realArgument(c, 0, 0, 0, "a scalar", scope);
        int n = repetitions(c, 1);
        return x < 0 || n < 0 ? Type.ERROR : Type.realVector(n);
      }
      case "mdivide_left_tri_low" -> {
        if (!arity(c, 2, scope)) {
          return Type.ERROR;
        }
        int n = squareArgument(c, 0, scope);
        int b = n < 0 ? -1 : realArgument(c, 1, n, 0, "a vector of length " + n, scope);
        return b < 0 ? Type.ERROR : Type.realVector(n);
      }
      case "diagonal" -> {
        if (!arity(c, 1, scope)) {
          return Type.ERROR;
        }
        int n = squareArgument(c, 0, scope);
        return n < 0 ? Type.ERROR : n == 1 ? Type.REAL : Type.realVector(n);
      }
      case "log_determinant_spd", "log_determinant" -> {
        if (!arity(c, 1, scope)) {
          return Type.ERROR;
        }
        return squareArgument(c, 0, scope) < 0 ? Type.ERROR : Type.REAL;
      }
      default -> {
        // multi_normal_cholesky_lpdf(y, mu, L), multi_normal_lpdf(y, mu, Sigma)
        if (!arity(c, 3, scope)) {
          return Type.ERROR;
        }
        int n = squareArgument(c, 2, scope);
        if (n < 0) {
          return Type.ERROR;
        }
        int y = realArgument(c, 0, n, 0, "a vector of length " + n, scope);
        int mu = realArgument(c, 1, -2, n, "a scalar or a vector of length " + n, scope);
        return y < 0 || mu < 0 ? Type.ERROR : Type.REAL;
      }
    }
  }

  /** {@code base + k} or {@code base - k} for an integer literal k (shift +-k), else the expression itself (shift 0). */
  private record Shifted(Expr base, int shift) {
    static Shifted of(Expr e) {
      if (e instanceof Binary b && (b.op() == BinaryOp.ADD || b.op() == BinaryOp.SUB) && b.right() instanceof Num n
          && n.isIntegerLiteral() && n.text().length() < 9) {
        int k = Integer.parseInt(n.text());
        return new Shifted(b.left(), b.op() == BinaryOp.ADD ? k : -k);
      }
      return new Shifted(e, 0);
    }
  }

  /** A column bound of {@code cols}: 0..cols, an integer literal or a {@code data int} plus or minus one; -1 after reporting. */
  private int columnBound(Expr e, int cols, Scope scope) {
    Shifted shifted = Shifted.of(e);
    int shift = shifted.shift();
    Expr base = shifted.base();
    long value;
    if (base instanceof Num n && n.isIntegerLiteral() && n.text().length() < 9) {
      value = Long.parseLong(n.text()) + shift;
    } else if (base instanceof Ident id && sizes.containsKey(id.name())) {
      fixedSizes.add(id.name()); // a column count: fixed when the model is compiled
      value = (long) sizes.get(id.name()) + shift;
    } else {
      error(scope, e.span(), "a column bound of 'cols' must be an integer literal or a 'data int' (plus or minus "
          + "an integer literal)");
      return -1;
    }
    if (value < 0 || value > cols) {
      error(scope, e.span(), "column bound " + value + " is out of range for a matrix of " + cols + " columns");
      return -1;
    }
    return (int) value;
  }

  /**
   * A size: a positive integer literal or a {@code data int} scalar declared before; its value,
   * or -1 after reporting.
   */
  private int size(Expr e, String of) {
    if (e instanceof Ident id) {
      Integer value = sizes.get(id.name());
      if (value != null) {
        usedAsSize.add(id.name());
      }
      if (value == null) {
        // a declared size without a value: its own declaration has been reported (bad or no data)
        if (!dataVariablesDeclaredAsInt(id.name())) {
          error(e.span(), "the size of '" + of + "' must be a positive integer literal or a 'data int' declared before it");
        }
        return -1;
      }
      if (value < 1) {
        error(e.span(), "the size of '" + of + "' is " + id.name() + " = " + value + "; sizes must be at least 1");
        return -1;
      }
      return value;
    }
    if (!(e instanceof Num num) || !num.isIntegerLiteral()) {
      error(e.span(), "the size of '" + of + "' must be a positive integer literal or a 'data int' declared before it");
      return -1;
    }
    BigInteger size = new BigInteger(num.text());
    if (size.signum() == 0) {
      error(e.span(), "the size of '" + of + "' must be at least 1");
      return -1;
    }
    if (size.compareTo(BigInteger.valueOf(MAX_PARAM_SIZE)) > 0) {
      error(e.span(), "'" + of + "' is too large: " + num.text() + " elements (at most " + MAX_PARAM_SIZE + ")");
      return -1;
    }
    return size.intValueExact();
  }

  /** Whether a name is a scalar {@code data int} declared before (so that, without data, no second error). */
  private boolean dataVariablesDeclaredAsInt(String name) {
    Statement s = allGlobals.get(name);
    return s instanceof Ast.DataDecl d && d.integer() && d.dims().isEmpty() && visible.containsKey(name);
  }

  // ---- declarations -------------------------------------------------------------------------

  private void collectGlobalsAndFunctions() {
    for (Statement s : model.statements()) {
      if (s instanceof FnDecl fn) {
        if (!checkNotBuiltin(fn.name(), "function")) {
          continue;
        }
        FnDecl previous = functions.get(fn.name().text());
        if (previous != null) {
          error(fn.name().span(), "function '" + fn.name().text() + "' is already defined at " + previous.name().span());
          continue;
        }
        Set<String> seen = new HashSet<>();
        for (Name p : fn.params()) {
          if (checkNotBuiltin(p, "argument") && !seen.add(p.text())) {
            error(p.span(), "argument '" + p.text() + "' appears twice in '" + fn.name().text() + "'");
          }
        }
        functions.put(fn.name().text(), fn);
      }
    }
    for (Statement s : model.statements()) {
      Name name = s instanceof ParamDecl p ? p.name() : s instanceof LetDecl l ? l.name()
          : s instanceof Ast.DataDecl d ? d.name() : s instanceof Ast.StateDecl st ? st.name() : null;
      if (name != null) {
        allGlobals.putIfAbsent(name.text(), s);
      }
    }
  }

  /** Reports a name that takes a built-in's or a function's name; true if the name is free. */
  private boolean checkNotBuiltin(Name name, String what) {
    String n = name.text();
    if (Builtin.CONSTANTS.containsKey(n)) {
      error(name.span(), what + " '" + n + "' shadows the built-in constant '" + n + "'");
      return false;
    }
    if (Builtin.byName(n).isPresent()) {
      error(name.span(), what + " '" + n + "' shadows the built-in function '" + n + "'");
      return false;
    }
    return true;
  }

  /** Declares a parameter or let; false (with a diagnostic) if the name is taken. */
  private boolean declare(Name name, Statement decl) {
    String kind = decl instanceof ParamDecl ? "parameter" : decl instanceof Ast.DataDecl ? "data"
        : decl instanceof Ast.StateDecl ? "state" : "let";
    if (!checkNotBuiltin(name, kind)) {
      return false;
    }
    String n = name.text();
    if (functions.containsKey(n)) {
      error(name.span(), "'" + n + "' is already defined as a function at " + functions.get(n).name().span());
      return false;
    }
    Statement first = allGlobals.get(n);
    if (first != decl) {
      Span firstSpan = first instanceof ParamDecl p ? p.name().span()
          : first instanceof Ast.DataDecl d ? d.name().span()
          : first instanceof Ast.StateDecl st ? st.name().span() : ((LetDecl) first).name().span();
      error(name.span(), "'" + n + "' is already declared at " + firstSpan);
      return false;
    }
    return true;
  }

  /**
   * Whether a parameter is declared {@code ordered} (Stan's ordered vector); an unknown transform
   * or an ordered scalar is reported at the transform's name.
   */
  private boolean isOrdered(ParamDecl p, int size) {
    if (p.transform() == null) {
      return false;
    }
    Name t = p.transform();
    if (!t.text().equals("ordered")) {
      error(t.span(), "unknown transform '" + t.text() + "' of '" + p.name().text()
          + "' (a parameter takes bounds '> a', '< b', 'in (a, b)' or the transform 'ordered')");
      return false;
    }
    if (size == 0) {
      error(t.span(), "'ordered' needs a vector: 'param " + p.name().text() + "[2] ordered;'");
      return false;
    }
    return true;
  }

  /** 0 for a scalar, the length of a vector, or -1 after reporting a bad size. */
  private int paramSize(ParamDecl p) {
    if (p.size() == null) {
      return 0;
    }
    int size = size(p.size(), p.name().text());
    // a literal is held to the limit in size(); a size from data must be too, or it reaches the allocators
    if (size > MAX_PARAM_SIZE && p.size() instanceof Ident id) {
      error(id.span(), "'" + p.name().text() + "' is too large: " + id.name() + " = " + size + " elements in "
          + data.source() + " (at most " + MAX_PARAM_SIZE + ")");
      return -1;
    }
    return size;
  }

  /**
   * A bound's value: a finite constant (numbers, pi, e, arithmetic on them); {@code absent} when
   * there is none; NaN for a bound computed from earlier parameters and data (Stan's
   * {@code real<lower=0, upper=1 - alpha1> beta1;}), a scalar or, for a vector parameter, a vector
   * of its length (elementwise bounds), and NaN after reporting a bad one (NaN compares false, so
   * no second message).
   */
  private double bound(ParamDecl p, Expr bound, double absent, int size) {
    if (bound == null) {
      return absent;
    }
    double value = constantValue(bound);
    if (Double.isInfinite(value) || Double.isNaN(value) && isArithmeticOfConstants(bound)) {
      // 1/0, 0/0: arithmetic of constants whose value is no bound
      error(bound.span(), "a bound of '" + p.name().text() + "' must be finite (leave it out for no bound)");
      return Double.NaN;
    } else if (Double.isNaN(value)) {
      checkComputedBound(p, bound, size);
    }
    return value;
  }

  /**
   * A bound that is an expression: it may read earlier parameters and data (and call functions),
   * not lets, which are defined after every parameter is constrained; its value is a real scalar,
   * or a vector as long as the parameter it bounds.
   */
  private void checkComputedBound(ParamDecl p, Expr bound, int size) {
    Ident let = letIn(bound);
    if (let != null) {
      error(let.span(), "a bound of '" + p.name().text() + "' may read only earlier parameters and data, not the let '"
          + let.name() + "'");
      return;
    }
    Ident self = nameIn(bound, p.name().text());
    if (self != null) {
      error(self.span(), "a bound of '" + self.name() + "' cannot read '" + self.name() + "' itself");
      return;
    }
    Type t = numeric(bound, check(bound, Scope.TOP), Scope.TOP);
    if (t.isError()) {
      return;
    }
    if (t.isBool()) {
      error(bound.span(), "a bound of '" + p.name().text() + "' must be a real value, got " + t.describe());
    } else if (t.isVector() && size == 0) {
      error(bound.span(), "a bound of the scalar '" + p.name().text() + "' must be a scalar, got " + t.describe());
    } else if (t.isVector() && t.length() != size) {
      error(bound.span(), "a bound of '" + p.name().text() + "' (" + size + " elements) must be a scalar or a vector"
          + " of " + size + " elements, got " + t.describe());
    }
  }

  /** The first use of {@code name} in {@code e}, or null. */
  private static Ident nameIn(Expr e, String name) {
    if (e instanceof Ident id) {
      return id.name().equals(name) ? id : null;
    }
    Stream<Expr> parts = e instanceof Call c ? c.args().stream() : children(e);
    return parts.map(part -> nameIn(part, name)).filter(java.util.Objects::nonNull).findFirst().orElse(null);
  }

  /** The first name in {@code e} that is a let declared so far, or null. */
  private Ident letIn(Expr e) {
    if (e instanceof Ident id) {
      return allGlobals.get(id.name()) instanceof LetDecl && visible.containsKey(id.name()) ? id : null;
    }
    Stream<Expr> parts = e instanceof Call c ? c.args().stream() : children(e);
    return parts.map(this::letIn).filter(java.util.Objects::nonNull).findFirst().orElse(null);
  }

  /** Whether an expression is numbers, pi and e combined by unary and binary arithmetic (what {@link #constantValue} folds). */
  private static boolean isArithmeticOfConstants(Expr e) {
    if (e instanceof Num) {
      return true;
    } else if (e instanceof Ident id) {
      return Builtin.CONSTANTS.containsKey(id.name());
    } else if (e instanceof Ast.Unary u) {
      return u.op() != Ast.UnaryOp.NOT && isArithmeticOfConstants(u.operand());
    }
    return e instanceof Ast.Binary b && b.op().isArithmetic() && isArithmeticOfConstants(b.left())
        && isArithmeticOfConstants(b.right());
  }

  /** The value of a constant expression, NaN for anything else. */
  private static double constantValue(Expr e) {
    if (e instanceof Num n) {
      return n.value();
    } else if (e instanceof Ident id) {
      return Builtin.CONSTANTS.getOrDefault(id.name(), Double.NaN);
    } else if (e instanceof Ast.Unary u && u.op() != Ast.UnaryOp.NOT) {
      double a = constantValue(u.operand());
      return u.op() == Ast.UnaryOp.NEG ? -a : a;
    } else if (e instanceof Ast.Binary b && b.op().isArithmetic()) {
      double l = constantValue(b.left());
      double r = constantValue(b.right());
      return switch (b.op()) {
        case ADD -> l + r;
        case SUB -> l - r;
        case MUL -> l * r;
        case DIV -> l / r;
        default -> Math.pow(l, r);
      };
    }
    return Double.NaN;
  }

  private void findRecursion() {
    Map<String, Set<String>> calls = new LinkedHashMap<>();
    functions.forEach((name, fn) -> calls.put(name, callees(fn.body())));
    for (FnDecl fn : functions.values()) {
      List<String> cycle = cycleFrom(fn.name().text(), fn.name().text(), calls, new ArrayList<>(), new HashSet<>());
      if (cycle != null) {
        recursive.add(fn.name().text());
        error(fn.name().span(), "function '" + fn.name().text() + "' is recursive ("
            + String.join(" -> ", cycle) + "); recursion is not allowed");
      }
    }
  }

  private List<String> cycleFrom(String target, String at, Map<String, Set<String>> calls, List<String> path, Set<String> seen) {
    path.add(at);
    for (String next : calls.getOrDefault(at, Set.of())) {
      if (next.equals(target)) {
        List<String> cycle = new ArrayList<>(path);
        cycle.add(target);
        return cycle;
      }
      if (seen.add(next)) {
        List<String> found = cycleFrom(target, next, calls, path, seen);
        if (found != null) {
          return found;
        }
      }
    }
    path.remove(path.size() - 1);
    return null;
  }

  private Set<String> callees(Expr e) {
    Set<String> out = new java.util.LinkedHashSet<>();
    collectCallees(e, out);
    return out;
  }

  private void collectCallees(Expr e, Set<String> out) {
    if (e instanceof Call c) {
      if (functions.containsKey(c.name())) {
        out.add(c.name());
      }
      c.args().forEach(a -> collectCallees(a, out));
    }
    children(e).forEach(child -> collectCallees(child, out));
  }

  private static Stream<Expr> children(Expr e) {
    if (e instanceof Unary u) {
      return Stream.of(u.operand());
    } else if (e instanceof Binary b) {
      return Stream.of(b.left(), b.right());
    } else if (e instanceof Conditional c) {
      return Stream.of(c.cond(), c.then(), c.otherwise());
    } else if (e instanceof Index i) {
      return Stream.of(i.target(), i.index());
    } else if (e instanceof VectorLit v) {
      return v.elements().stream();
    }
    return Stream.empty(); // a Call's arguments are handled by the caller
  }

  // ---- expressions --------------------------------------------------------------------------

  private Type check(Expr e, Scope scope) {
    if (e instanceof Num) {
      return Type.REAL;
    } else if (e instanceof Ident id) {
      return checkIdent(id, scope);
    } else if (e instanceof Unary u) {
      boolean wantBool = u.op() == Ast.UnaryOp.NOT;
      Type t = check(u.operand(), scope);
      if (!wantBool) {
        t = numeric(u.operand(), t, scope);
      }
      if (t.isError()) {
        return t;
      }
      if (t.isBool() != wantBool) {
        error(scope, u.span(), "'" + u.op().symbol + "' needs " + (wantBool ? "a boolean" : "a real")
            + " operand, got " + t.describe());
        return Type.ERROR;
      }
      return t;
    } else if (e instanceof Binary b) {
      return checkBinary(b, scope);
    } else if (e instanceof Conditional c) {
      return checkConditional(c, scope);
    } else if (e instanceof Call c) {
      return checkCall(c, scope);
    } else if (e instanceof Index i) {
      return checkIndex(i, scope);
    } else {
      return checkVector((VectorLit) e, scope);
    }
  }

  private Type checkIdent(Ident id, Scope scope) {
    String n = id.name();
    if (scope.inFunction() && scope.args().containsKey(n)) {
      return scope.args().get(n);
    }
    if (Builtin.CONSTANTS.containsKey(n)) {
      return Type.REAL;
    }
    if (functions.containsKey(n) || Builtin.byName(n).isPresent()) {
      error(scope, id.span(), "'" + n + "' is a function; call it as " + n + "(...)");
      return Type.ERROR;
    }
    if (scope.inFunction()) {
      if (allGlobals.containsKey(n)) {
        error(scope, id.span(), "'" + n + "' cannot be used inside function '" + scope.fn().name().text()
            + "': functions see only their arguments; pass it as an argument");
      } else {
        error(scope, id.span(), "'" + n + "' is not declared" + suggestion(n, scope.args().keySet()));
      }
      return Type.ERROR;
    }
    if (loop != null && loop.index().text().equals(n)) {
      return Type.REAL; // t as a number: FROM, FROM + 1, ...
    }
    Type t = visible.get(n);
    if (isMatrix(id)) {
      int[] dims = matrixLets.containsKey(n) ? matrixLets.get(n) : dataVariables.get(n).dims();
      error(scope, id.span(), "'" + n + "' is a matrix (" + dims[0] + " x " + dims[1] + ") where a scalar or a vector"
          + " is expected: it can multiply a vector ('" + n + " * v') or be an argument of a matrix function");
      return Type.ERROR;
    }
    if (t != null) {
      return t;
    }
    Statement later = allGlobals.get(n);
    if (later != null) {
      error(id.span(), "'" + n + "' is used before its definition at " + later.span());
    } else {
      error(id.span(), "'" + n + "' is not declared" + suggestion(n, visible.keySet()));
    }
    return Type.ERROR;
  }

  private String suggestion(String name, Set<String> names) {
    List<String> candidates = new ArrayList<>(names);
    candidates.addAll(Builtin.CONSTANTS.keySet());
    return Suggestions.didYouMean(name, candidates);
  }

  private Type checkBinary(Binary b, Scope scope) {
    if (isMatrixArithmetic(b) && !scope.inFunction()) {
      if (checkMatrix(b, scope) != null) {
        error(scope, b.opSpan(), "'" + b.op().symbol + "' of " + (isScaledMatrix(b) ? "a matrix and a scalar" : "two matrices")
            + " gives a matrix: name it with 'let' or multiply a vector by it");
      }
      return Type.ERROR;
    }
    if (b.op() == BinaryOp.MUL && isMatrixExpr(b.left()) && !scope.inFunction()) {
      if (loop != null) {
        error(b.opSpan(), "a matrix product cannot be inside a loop: compute it before the loop with 'let'");
        return Type.ERROR;
      }
      return checkMatrixProduct(b, scope);
    }
    Type l = check(b.left(), scope);
    Type r = check(b.right(), scope);
    BinaryOp op = b.op();
    boolean equality = op == BinaryOp.EQ || op == BinaryOp.NE;
    if (op.isArithmetic() || (op.isComparison() && !equality) || (equality && l.isBool() != r.isBool())) {
      l = numeric(b.left(), l, scope);
      r = numeric(b.right(), r, scope);
    }
    if (l.isError() || r.isError()) {
      return Type.ERROR;
    }
    String sym = "'" + op.symbol + "'";
    if (op.isArithmetic() || (op.isComparison() && op != BinaryOp.EQ && op != BinaryOp.NE)) {
      if (!l.isReal() || !r.isReal()) {
        error(scope, b.opSpan(), sym + " needs real operands, got " + (l.isReal() ? r : l).describe());
        return Type.ERROR;
      }
    } else if (op.isLogical()) {
      if (!l.isBool() || !r.isBool()) {
        error(scope, b.opSpan(), sym + " needs boolean operands, got " + (l.isBool() ? r : l).describe());
        return Type.ERROR;
      }
    } else if (l.kind() != r.kind()) {
      error(scope, b.opSpan(), sym + " compares " + l.describe() + " with " + r.describe());
      return Type.ERROR;
    }
    int length = broadcast(l, r, b.opSpan(), sym, scope);
    if (length < 0) {
      return Type.ERROR;
    }
    return new Type(op.isArithmetic() ? Type.Kind.REAL : Type.Kind.BOOL, length);
  }

  /**
   * The type of {@code e} where a real is expected. A comparison of data is then its 0/1 value, as
   * Stan's comparisons give an int ({@code let pos = y > 0;} then {@code pos * beta}); one that
   * involves a parameter is refused: a step function has no derivative for the gradient to follow
   * (a choice between parameter expressions is written {@code c ? a : b}).
   */
  private Type numeric(Expr e, Type t, Scope scope) {
    if (!t.isBool()) {
      return t;
    }
    String parameter = parameterIn(e, scope);
    if (parameter == null) {
      return new Type(Type.Kind.REAL, t.length());
    }
    error(scope, comparisonAt(e, scope), "a comparison used as a number (0 or 1) must compare data only: this one"
        + " depends on " + parameter + " and has no derivative (choose between values with 'c ? a : b')");
    return Type.ERROR;
  }

  /** Where to point at a truth value that depends on a parameter: its first such comparison's operator. */
  private Span comparisonAt(Expr e, Scope scope) {
    if (e instanceof Binary b && b.op().isComparison() && parameterIn(b, scope) != null) {
      return b.opSpan();
    }
    return children(e).filter(part -> parameterIn(part, scope) != null).findFirst()
        .map(part -> comparisonAt(part, scope)).orElse(e.span());
  }

  /** The first parameter {@code e} depends on, as messages name it, or null when it reads data alone. */
  private String parameterIn(Expr e, Scope scope) {
    if (e instanceof Ident id) {
      String n = id.name();
      if (scope.inFunction()) {
        return scope.args().containsKey(n)
            ? "'" + n + "', an argument of function '" + scope.fn().name().text() + "' (which may be a parameter)"
            : null;
      }
      return parameterNames.contains(n) ? "parameter '" + n + "'" : letParameters.get(n);
    }
    Stream<Expr> parts = e instanceof Call c ? c.args().stream() : children(e);
    return parts.map(part -> parameterIn(part, scope)).filter(java.util.Objects::nonNull).findFirst().orElse(null);
  }

  /** The length of the elementwise combination of two types, or -1 after reporting a mismatch. */
  private int broadcast(Type a, Type b, Span at, String what, Scope scope) {
    if (a.isScalar()) {
      return b.length();
    }
    if (b.isScalar() || a.length() == b.length()) {
      return a.length();
    }
    error(scope, at, "length mismatch in " + what + ": " + a.describe() + " and " + b.describe());
    return -1;
  }

  private Type checkConditional(Conditional c, Scope scope) {
    Type cond = check(c.cond(), scope);
    Type then = numeric(c.then(), check(c.then(), scope), scope);
    Type otherwise = numeric(c.otherwise(), check(c.otherwise(), scope), scope);
    boolean ok = true;
    if (cond.isReal()) {
      error(scope, c.cond().span(), "the condition of '?:' must be a boolean (a comparison), got " + cond.describe());
      ok = false;
    }
    if (!ok || cond.isError() || then.isError() || otherwise.isError()) {
      return Type.ERROR;
    }
    int length = broadcast(then, otherwise, c.span(), "'?:'", scope);
    if (length < 0) {
      return Type.ERROR;
    }
    length = broadcast(cond, new Type(Type.Kind.REAL, length), c.cond().span(), "'?:' (condition and branches)", scope);
    return length < 0 ? Type.ERROR : new Type(Type.Kind.REAL, length);
  }

  private Type checkIndex(Index ix, Scope scope) {
    if (loop != null && !scope.inFunction() && Shifted.of(ix.index()).base() instanceof Ident i
        && i.name().equals(loop.index().text())) {
      return checkLoopIndex(ix, Shifted.of(ix.index()).shift());
    }
    Type target = check(ix.target(), scope);
    Integer index = null;
    DataIndex byData = scope.inFunction() ? null : dataIndex(ix.index());
    if (byData != null) {
      return checkDataIndex(ix, target, byData, scope);
    }
    if (ix.index() instanceof Num n && n.isIntegerLiteral()) {
      BigInteger value = new BigInteger(n.text());
      index = value.bitLength() < 31 ? value.intValue() : Integer.MAX_VALUE;
    } else if (!(check(ix.index(), scope).isError() && !scope.inFunction())) {
      // at top level an index of type ERROR has been reported (or names data not given)
      error(scope, ix.index().span(), "an index must be a non-negative integer literal, or a 'data int' "
          + "(plus or minus an integer literal)");
    }
    if (target.isError() || index == null) {
      return Type.ERROR;
    }
    String what = ix.target() instanceof Ident id ? "'" + id.name() + "'" : "a vector";
    if (target.isScalar()) {
      error(scope, ix.span(), ix.target() instanceof Ident id
          ? "'" + id.name() + "' is a scalar and cannot be indexed"
          : "a scalar cannot be indexed");
      return Type.ERROR;
    }
    if (index >= target.length()) {
      error(scope, ix.index().span(), "index " + ((Num) ix.index()).text() + " is out of range for " + what
          + " of length " + target.length());
      return Type.ERROR;
    }
    if (index > 0 && !scope.inFunction() && ix.target() instanceof Ident id && rowSizes.containsKey(id.name())
        && dataVariables.containsKey(id.name())) {
      // the vector's rows may be bound at run time: the binding checks there are enough
      leastSizes.add(new DataLayout.LeastSize(rowSizes.get(id.name()), index + 1,
          "it reads '" + id.name() + "[" + index + "]'"));
    }
    return target.withLength(0);
  }

  /** An index given by data: a {@code data int} (scalar or vector), shifted by an integer literal. */
  record DataIndex(DataLayout.Variable variable, int shift) {}

  /** {@code group}, {@code group - 1}, {@code group + 2}; null for anything else. */
  private DataIndex dataIndex(Expr e) {
    Shifted shifted = Shifted.of(e);
    int shift = shifted.shift();
    Expr base = shifted.base();
    if (base instanceof Ident id && dataVariables.containsKey(id.name()) && dataVariables.get(id.name()).integer()
        && dataVariables.get(id.name()).dims().length < 2) {
      return new DataIndex(dataVariables.get(id.name()), shift);
    }
    return null;
  }

  private Type checkDataIndex(Index ix, Type target, DataIndex index, Scope scope) {
    if (target.isError()) {
      return target;
    }
    if (!target.isVector()) {
      error(scope, ix.span(), "a scalar cannot be indexed");
      return Type.ERROR;
    }
    if (!target.isReal()) {
      error(scope, ix.span(), "indexing with data needs a real vector, got " + target.describe());
      return Type.ERROR;
    }
    DataLayout.IndexCheck check = new DataLayout.IndexCheck(index.variable().name(), index.shift(), target.length());
    String problem = DataLayout.problem(index.variable(), data, List.of(check));
    if (problem != null) {
      error(scope, ix.index().span(), problem);
      return Type.ERROR;
    }
    indexChecks.add(check);
    int[] dims = index.variable().dims();
    return dims.length == 0 ? Type.REAL : Type.realVector(dims[0]);
  }

  private Type checkVector(VectorLit v, Scope scope) {
    boolean ok = true;
    for (Expr element : v.elements()) {
      Type t = numeric(element, check(element, scope), scope);
      if (t.isError()) {
        ok = false;
      } else if (!t.isReal() || t.isVector()) {
        error(scope, element.span(), "the elements of a vector literal must be real scalars, got " + t.describe());
        ok = false;
      }
    }
    return ok ? Type.realVector(v.elements().size()) : Type.ERROR;
  }

  private Type checkCall(Call c, Scope scope) {
    if (c.name().equals(Ast.WINDOW)) {
      if (scope.inFunction()) {
        error(scope, c.span(), "a window 'v[a:b]' is read inside a loop, not in a function");
        return Type.ERROR;
      }
      return checkWindow(c);
    }
    if (c.name().equals("reverse") && !functions.containsKey(c.name())) {
      return checkReverse(c, scope);
    }
    if (c.name().equals("col_means") && !functions.containsKey(c.name()) && !scope.inFunction()) {
      if (c.args().size() != 1) {
        error(scope, c.span(), "'col_means' takes 1 argument, got " + c.args().size());
        return Type.ERROR;
      }
      Expr m = c.args().get(0);
      if (!isDataMatrixExpr(m)) {
        Type t = isMatrixExpr(m) ? Type.REAL : check(m, scope);
        if (!t.isError()) {
          error(scope, m.span(), "'col_means' needs a data matrix, got " + describe(m, t));
        }
        return Type.ERROR;
      }
      int[] dims = checkMatrix(m, scope);
      return dims == null ? Type.ERROR : Type.realVector(dims[1]);
    }
    if (MatrixFunctions.takesMatrix(c.name()) && !functions.containsKey(c.name()) && !scope.inFunction()) {
      return checkMatrixArguments(c, scope);
    }
    if (isMatrixExpr(c) && !scope.inFunction()) {
      if (checkMatrix(c, scope) != null) {
        error(scope, c.span(), "'" + c.name() + "' gives a matrix: name it with 'let' or multiply a vector by it");
      }
      return Type.ERROR;
    }
    // a matrix argument of an unknown function is not a second mistake
    boolean unknown = !functions.containsKey(c.name()) && Builtin.byName(c.name()).isEmpty();
    List<Type> checked = c.args().stream().map(a -> unknown && isMatrixExpr(a) ? Type.ERROR : check(a, scope)).toList();
    FnDecl fn = functions.get(c.name());
    if (fn != null) {
      // a user function's arguments keep their booleans: its body may use them as conditions
      return checkUserCall(c, fn, checked, scope);
    }
    Builtin builtin = Builtin.byName(c.name()).orElse(null);
    List<Type> args = builtin == null ? checked : java.util.stream.IntStream.range(0, checked.size())
        .mapToObj(i -> numeric(c.args().get(i), checked.get(i), scope)).toList();
    if (builtin == null) {
      if (visible.containsKey(c.name()) || allGlobals.containsKey(c.name()) || Builtin.CONSTANTS.containsKey(c.name())
          || scope.args().containsKey(c.name())) {
        error(scope, c.nameSpan(), "'" + c.name() + "' is not a function");
      } else if (c.sampling()) {
        List<String> names = Stream.concat(functions.keySet().stream(),
                java.util.Arrays.stream(Builtin.values()).map(Builtin::symbol))
            .filter(n -> n.endsWith("_lpdf") || n.endsWith("_lpmf"))
            .map(n -> n.substring(0, n.length() - "_lpdf".length())).toList();
        error(scope, c.nameSpan(), "unknown distribution '" + c.distribution() + "'"
            + Suggestions.didYouMean(c.distribution(), names));
      } else {
        List<String> names = new ArrayList<>(functions.keySet());
        java.util.Arrays.stream(Builtin.values()).map(Builtin::symbol).forEach(names::add);
        names.addAll(MatrixFunctions.names());
        error(scope, c.nameSpan(), "unknown function '" + c.name() + "'" + Suggestions.didYouMean(c.name(), names));
      }
      return Type.ERROR;
    }
    return checkBuiltinCall(c, builtin, args, scope);
  }

  private Type checkUserCall(Call c, FnDecl fn, List<Type> args, Scope scope) {
    if (args.size() != fn.params().size()) {
      error(scope, c.span(), "'" + c.name() + "' takes " + plural(fn.params().size(), "argument") + ", got " + args.size());
      return Type.ERROR;
    }
    if (recursive.contains(c.name()) || args.stream().anyMatch(Type::isError)) {
      return Type.ERROR;
    }
    Map<List<Type>, Type> memo = instantiations.computeIfAbsent(fn, k -> new HashMap<>());
    Type known = memo.get(args);
    if (known != null) {
      return known;
    }
    Map<String, Type> env = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      env.put(fn.params().get(i).text(), args.get(i));
    }
    Span site = scope.callSite() != null ? scope.callSite() : c.span();
    Type result = check(fn.body(), new Scope(fn, env, site));
    memo.put(args, result);
    return result;
  }

  private Type checkBuiltinCall(Call c, Builtin b, List<Type> args, Scope scope) {
    String name = "'" + b.symbol() + "'";
    if (b.arity >= 0 && args.size() != b.arity) {
      if (c.sampling()) {
        error(scope, c.span(), "'" + c.distribution() + "' takes " + plural(b.arity - 1, "argument") + ", got "
            + (args.size() - 1));
      } else {
        error(scope, c.span(), name + " takes " + plural(b.arity, "argument") + ", got " + args.size());
      }
      return Type.ERROR;
    }
    if (b.form == Builtin.Form.LOGSUMEXP && args.isEmpty()) {
      error(scope, c.span(), name + " takes a vector or several values, got no argument");
      return Type.ERROR;
    }
    if (args.stream().anyMatch(Type::isError)) {
      return Type.ERROR;
    }
    switch (b.form) {
      case ELEMENTWISE -> {
        int length = args.get(0).length();
        for (int i = 1; i < args.size() && length >= 0; i++) {
          length = broadcast(new Type(Type.Kind.REAL, length), args.get(i), c.span(), name, scope);
        }
        return length < 0 ? Type.ERROR : new Type(Type.Kind.REAL, length);
      }
      case REDUCTION -> {
        if (args.get(0).isScalar()) {
          error(scope, c.args().get(0).span(), name + " needs a vector, got a scalar");
          return Type.ERROR;
        }
        return Type.REAL;
      }
      case DOT -> {
        for (int i = 0; i < 2; i++) {
          if (args.get(i).isScalar()) {
            error(scope, c.args().get(i).span(), name + " needs vectors, got a scalar");
            return Type.ERROR;
          }
        }
        if (args.get(0).length() != args.get(1).length()) {
          error(scope, c.span(), "length mismatch in " + name + ": " + args.get(0).describe() + " and "
              + args.get(1).describe());
          return Type.ERROR;
        }
        return Type.REAL;
      }
      case DISTRIBUTION -> {
        int length = 0;
        for (int i = 0; i < args.size() && length >= 0; i++) {
          length = broadcast(new Type(Type.Kind.REAL, length), args.get(i), c.span(), name, scope);
        }
        return length < 0 ? Type.ERROR : Type.REAL;
      }
      default -> {
        if (args.size() == 1 && args.get(0).isScalar()) {
          error(scope, c.args().get(0).span(), name + " of one value needs a vector, got a scalar");
          return Type.ERROR;
        }
        return Type.REAL;
      }
    }
  }

  private static String plural(int n, String word) {
    return n + " " + word + (n == 1 ? "" : "s");
  }

  // ---- loops --------------------------------------------------------------------------------

  /** The loop being checked: its index, its range [from, to), and the lets of its body. */
  private record LoopScope(Name index, int from, int to, Set<String> lets) {}

  /** A statement, and for a loop the statements of its body after it. */
  private static Stream<Statement> withLoopBodies(Statement s) {
    return s instanceof Ast.Loop l ? Stream.concat(Stream.of(s), l.body().stream().flatMap(ModelChecker::withLoopBodies))
        : Stream.of(s);
  }

  private void checkContribution(Contribution c) {
    Type type = numeric(c.value(), check(c.value(), Scope.TOP), Scope.TOP);
    if (type.isVector()) {
      error(c.value().span(), "'" + c.kind().keyword() + "' needs a scalar, got " + type.describe()
          + " (sum it with sum(...))");
    }
  }

  /** {@code state NAME = EXPR;}: a real scalar or vector, taken to depend on the parameters (a loop may make it so). */
  private void checkState(Ast.StateDecl st) {
    Type type = check(st.value(), Scope.TOP);
    if (type.isBool()) {
      error(st.value().span(), "a state needs a real value (a scalar or a vector), got " + type.describe());
      type = Type.ERROR;
    }
    if (declare(st.name(), st)) {
      visible.put(st.name().text(), type);
      states.put(st.name().text(), type);
      letParameters.put(st.name().text(), "state '" + st.name().text() + "'");
    }
  }

  /**
   * {@code for t in FROM:TO { ... }}: bounds known once data are bound (FROM's size fixed; TO's
   * may stay free, the binding then checking it lets the loop run once), at least one iteration, a body of lets, state
   * assignments and contributions; the body's lets are its own, seen by the statements after
   * them in the same iteration.
   */
  private void checkLoop(Ast.Loop l) {
    if (loop != null) {
      error(l.span(), "loops do not nest: write the inner loop's terms out, or make it a vector expression");
      return;
    }
    String index = l.index().text();
    boolean ok = checkNotBuiltin(l.index(), "loop index");
    if (ok && (allGlobals.containsKey(index) || functions.containsKey(index))) {
      error(l.index().span(), "the loop index '" + index + "' takes the name of a declaration; choose another name");
      ok = false;
    }
    int from = loopBound(l.from(), true);
    int to = loopBound(l.to(), false);
    if (from >= 0 && to > from && Shifted.of(l.to()).base() instanceof Ident size) {
      // a free size: the binding checks that the loop runs at least once
      int shift = Shifted.of(l.to()).shift();
      leastSizes.add(new DataLayout.LeastSize(size.name(), from - shift + 1, "its loop over " + index + " from "
          + from + " to " + boundText(l.to()) + " runs at least once"));
    }
    if (from >= 0 && to >= 0 && from >= to) {
      error(l.from().span(), "the loop 'for " + index + " in " + from + ":" + to + "' runs no iteration (it runs "
          + index + " = FROM, ..., TO - 1)");
      ok = false;
    }
    if (!ok || from < 0 || to < 0) {
      return;
    }
    loop = new LoopScope(l.index(), from, to, new java.util.LinkedHashSet<>());
    for (Statement s : l.body()) {
      if (s instanceof LetDecl let) {
        checkLoopLet(let);
      } else if (s instanceof Ast.Assign a) {
        checkAssign(a);
      } else if (s instanceof Contribution c) {
        checkContribution(c);
      } else if (s instanceof Ast.Loop inner) {
        checkLoop(inner);
      } else {
        String what = s instanceof ParamDecl ? "'param'" : s instanceof Ast.DataDecl ? "'data'"
            : s instanceof FnDecl ? "'fn'" : "'state'";
        error(s.span(), what + " cannot be inside a loop: declare it before the loop");
      }
    }
    loop.lets().forEach(visible::remove);
    loop.lets().forEach(letParameters::remove);
    loop = null;
  }

  private void checkLoopLet(LetDecl let) {
    String n = let.name().text();
    if (let.derived()) {
      error(let.span(), "'derived' cannot be inside a loop: a loop's lets are values of one iteration");
      return;
    }
    if (isMatrixExpr(let.value())) {
      error(let.value().span(), "a matrix cannot be made inside a loop: name it with 'let' before the loop");
      return;
    }
    Type type = check(let.value(), Scope.TOP);
    if (!checkNotBuiltin(let.name(), "let")) {
      return;
    }
    if (visible.containsKey(n) || allGlobals.containsKey(n) || functions.containsKey(n) || n.equals(loop.index().text())) {
      error(let.name().span(), "'" + n + "' is already declared; a loop's lets need names of their own");
      return;
    }
    visible.put(n, type);
    loop.lets().add(n);
    String parameter = parameterIn(let.value(), Scope.TOP);
    if (parameter != null) {
      letParameters.put(n, parameter);
    }
  }

  /** {@code NAME = EXPR;}: NAME a state, EXPR of its shape. */
  private void checkAssign(Ast.Assign a) {
    String n = a.name().text();
    Type value = numeric(a.value(), check(a.value(), Scope.TOP), Scope.TOP);
    Type state = states.get(n);
    if (state == null) {
      String what = parameterNames.contains(n) ? "a parameter" : dataVariables.containsKey(n) ? "data"
          : visible.containsKey(n) || allGlobals.containsKey(n) ? "a let" : null;
      error(a.name().span(), what == null
          ? "'" + n + "' is not declared" + suggestion(n, states.keySet()) + " (a loop assigns states: 'state " + n
              + " = ...;' before the loop)"
          : "'" + n + "' is " + what + " and cannot be assigned: only a state can ('state NAME = ...;' before the loop)");
      return;
    }
    if (value.isError() || state.isError()) {
      return;
    }
    if (value.length() != state.length()) {
      error(a.value().span(), "state '" + n + "' is " + state.describe() + " and cannot be assigned "
          + value.describe());
    }
  }

  /**
   * {@code v[t + k]} in a loop over [from, to): v a vector defined before the loop, and every
   * iteration's element inside it (reading ahead past the end, or behind the start, is refused here).
   */
  private Type checkLoopIndex(Index ix, int shift) {
    return checkLoopRead(ix.target(), ix.index().span(), indexText(ix.index()), shift, shift);
  }

  /**
   * Elements {@code t + first .. t + last} of {@code target} in a loop over [from, to) ({@code v[t + k]}
   * or a window's): v a vector defined before the loop, every iteration's elements inside it.
   */
  private Type checkLoopRead(Expr targetExpr, Span at, String text, int firstShift, int lastShift) {
    String t = loop.index().text();
    if (!(targetExpr instanceof Ident target) || states.containsKey(target.name())
        || loop.lets().contains(target.name())) {
      error(targetExpr.span(), "only a vector defined before the loop (data, a parameter or a let) can be indexed by '"
          + t + "'");
      return Type.ERROR;
    }
    Type type = check(target, Scope.TOP);
    if (type.isError()) {
      return type;
    }
    if (!type.isVector() || !type.isReal()) {
      error(targetExpr.span(), "'" + target.name() + "' is " + type.describe() + " and cannot be indexed by '" + t + "'");
      return Type.ERROR;
    }
    long first = (long) loop.from() + firstShift;
    long last = (long) loop.to() - 1 + lastShift;
    if (first < 0) {
      error(at, "'" + target.name() + "[" + text + "]' reads element " + first
          + " when " + t + " = " + loop.from() + ", before the start of '" + target.name() + "'");
      return Type.ERROR;
    }
    if (last >= type.length()) {
      error(at, "'" + target.name() + "[" + text + "]' reads element " + last
          + " when " + t + " = " + (loop.to() - 1) + ", beyond the " + type.length() + " elements of '" + target.name()
          + "' (the loop reads ahead)");
      return Type.ERROR;
    }
    return Type.REAL;
  }

  /**
   * A window {@code v[t - A:t - B]} in a loop: the vector of v's elements t - A .. t - B - 1, each
   * bound the loop index plus or minus an integer literal or a {@code data int} (which is then
   * fixed: the window's length is part of the compiled code).
   */
  private Type checkWindow(Call c) {
    Expr from = c.args().get(1);
    Expr to = c.args().get(2);
    Integer lo = loop == null ? null : loopShift(from);
    Integer hi = loop == null ? null : loopShift(to);
    if (lo == null || hi == null) {
      error(c.span(), "a window 'v[a:b]' is read inside a loop, its bounds the loop's index plus or minus an integer"
          + " literal or a 'data int' ('y[t - K:t]')");
      return Type.ERROR;
    }
    String text = indexText(from) + ":" + indexText(to);
    if (hi <= lo) {
      error(c.nameSpan(), "the window '[" + text + "]' is empty: its end must come after its start");
      return Type.ERROR;
    }
    Type t = checkLoopRead(c.args().get(0), from.span(), text, lo, hi - 1);
    return t.isError() ? t : hi - lo == 1 ? Type.REAL : Type.realVector(hi - lo);
  }

  /** {@code t}, {@code t + k} or {@code t - k} for the loop's index t and k a literal or a data int: k's signed value; else null. */
  private Integer loopShift(Expr e) {
    String t = loop.index().text();
    if (e instanceof Ident id && id.name().equals(t)) {
      return 0;
    }
    if (!(e instanceof Binary b && (b.op() == BinaryOp.ADD || b.op() == BinaryOp.SUB) && b.left() instanceof Ident id
        && id.name().equals(t))) {
      return null;
    }
    int sign = b.op() == BinaryOp.ADD ? 1 : -1;
    if (b.right() instanceof Num n && n.isIntegerLiteral() && n.text().length() < 9) {
      return sign * Integer.parseInt(n.text());
    }
    if (b.right() instanceof Ident k && sizes.containsKey(k.name())) {
      fixedSizes.add(k.name());
      usedAsSize.add(k.name());
      return sign * sizes.get(k.name());
    }
    return null;
  }

  /** {@code reverse(v)}: v's elements in the opposite order (a scalar is itself). */
  private Type checkReverse(Call c, Scope scope) {
    if (c.args().size() != 1) {
      error(scope, c.span(), "'reverse' takes 1 argument, got " + c.args().size());
      return Type.ERROR;
    }
    Expr v = c.args().get(0);
    Type t = numeric(v, check(v, scope), scope);
    if (!t.isError() && !t.isReal()) {
      error(scope, v.span(), "'reverse' needs a real vector, got " + t.describe());
      return Type.ERROR;
    }
    return t;
  }

  /**
   * A loop bound: an integer literal or a {@code data int}, plus or minus a literal; -1 after
   * reporting. A size the lower bound names is fixed (slices start there); the upper bound's may
   * stay free, the loop's count then read at run time (docs/language.md, "Sizes bound at run time").
   */
  private int loopBound(Expr e, boolean lower) {
    Shifted shifted = Shifted.of(e);
    long value;
    if (shifted.base() instanceof Num n && n.isIntegerLiteral() && n.text().length() < 9) {
      value = Long.parseLong(n.text()) + shifted.shift();
    } else if (shifted.base() instanceof Ident id && sizes.containsKey(id.name())) {
      if (lower) {
        fixedSizes.add(id.name());
      }
      usedAsSize.add(id.name());
      value = (long) sizes.get(id.name()) + shifted.shift();
    } else {
      if (!(shifted.base() instanceof Ident id && dataVariablesDeclaredAsInt(id.name()))) {
        error(e.span(), "a loop bound must be an integer literal or a 'data int' (plus or minus an integer literal)");
      }
      return -1;
    }
    if (value < 0 || value > Integer.MAX_VALUE) {
      error(e.span(), "the loop bound is " + value + "; bounds must be at least 0");
      return -1;
    }
    return (int) value;
  }

  /** How a bound reads in a message: {@code T}, {@code T - 1}. */
  private static String boundText(Expr e) {
    Shifted s = Shifted.of(e);
    String base = s.base() instanceof Ident id ? id.name() : ((Num) s.base()).text();
    return s.shift() == 0 ? base : base + (s.shift() > 0 ? " + " + s.shift() : " - " + -s.shift());
  }

  /** How an index reads in a message: {@code t}, {@code t - 1}. */
  private static String indexText(Expr e) {
    if (e instanceof Binary b && b.left() instanceof Ident t && b.right() instanceof Ident k) {
      return t.name() + " " + b.op().symbol + " " + k.name(); // a window's bound, t - K
    }
    Shifted s = Shifted.of(e);
    String base = ((Ident) s.base()).name();
    return s.shift() == 0 ? base : base + (s.shift() > 0 ? " + " + s.shift() : " - " + -s.shift());
  }
}
