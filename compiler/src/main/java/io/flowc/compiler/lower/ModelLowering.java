package io.flowc.compiler.lower;

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
import io.flowc.compiler.frontend.Ast.Unary;
import io.flowc.compiler.frontend.Ast.VectorLit;
import io.flowc.compiler.frontend.Builtin;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.ColumnBounds;
import io.flowc.compiler.frontend.MatrixFunctions;
import io.flowc.compiler.ir.DynamicShapeException;
import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.ir.Op;
import io.flowc.compiler.ir.ScanBody;
import io.flowc.compiler.ir.Shape;
import io.flowc.runtime.data.DataLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A checked model to IR: one input per parameter, {@code let}s bound once, functions inlined
 * (once per distinct list of argument nodes, so shared calls stay shared), the language's
 * derived functions spelled out in primitives (mean = sum/n, norm = sqrt(sum(square)),
 * dot = sum(mul)), distributions expanded by {@link Distributions}, and one output
 * {@code potential}: U(z) = sum of potential terms - sum of logp terms - the log-Jacobians of
 * bounded parameters (whose inputs are on the unconstrained scale, see
 * {@link io.flowc.runtime.Constraints}).
 */
public final class ModelLowering {
  public static final String POTENTIAL = "potential";

  private final CheckedModel model;
  private final Graph graph;
  private final Map<String, Node> globals;
  /** Inside a loop's body: the loop, whose index reads slices of values defined before it; null outside. */
  private LoopBody loopBody;
  private final Map<FnDecl, Map<List<Node>, Node>> inlined = new HashMap<>();
  /** Matrix-valued lets, as their columns. */
  private final Map<String, List<Node>> matrixLets = new HashMap<>();
  /** Lets of the matrix functions, as matrix nodes (docs/language.md, "Matrices"). */
  private final Map<String, Node> denseLets = new HashMap<>();
  /** Statements over rows that are not sums over rows, as {@code LINE:COL}; null when not asked. */
  private List<String> notSumsOverRows;
  /** Whether only the terms over rows are kept ({@link #lowerRows}). */
  private boolean rowsOnly;

  private ModelLowering(CheckedModel model, Graph graph) {
    this(model, graph, new HashMap<>());
  }

  private ModelLowering(CheckedModel model, Graph graph, Map<String, Node> globals) {
    this.model = model;
    this.graph = graph;
    this.globals = globals;
  }

  public static IrFunction lower(CheckedModel model, Graph graph) {
    List<Node> inputs = new ArrayList<>();
    for (int slot = 0; slot < model.params().size(); slot++) {
      CheckedModel.Param p = model.params().get(slot);
      inputs.add(graph.input(p.name(), slot, Shape.of(p.size())));
    }
    Node potential = potential(model, graph, inputs);
    return new IrFunction(graph, inputs, List.of(new IrFunction.Output(POTENTIAL, potential)));
  }

  /**
   * The terms of a model with free sizes that read rows of data ({@link RowTerms#readsRows}),
   * times the row scale, and nothing else: no priors, no log-Jacobians. For a model whose terms
   * over rows are sums over rows ({@link #termsNotSummedOverRows} empty), the log density on all
   * rows is the full model's on some rows plus this on the others, which is how a log density is
   * split into chunks of rows that count the priors once. Null when no term reads rows.
   */
  public static IrFunction lowerRows(CheckedModel model, Graph graph) {
    List<Node> inputs = new ArrayList<>();
    for (int slot = 0; slot < model.params().size(); slot++) {
      CheckedModel.Param p = model.params().get(slot);
      inputs.add(graph.input(p.name(), slot, Shape.of(p.size())));
    }
    ModelLowering lowering = new ModelLowering(model, graph);
    lowering.rowsOnly = true;
    Node potential = lowering.run(inputs);
    return potential == null ? null
        : new IrFunction(graph, inputs, List.of(new IrFunction.Output(POTENTIAL, potential)));
  }

  /**
   * The statements of a model with free sizes that read rows of data without being sums over
   * rows ({@link RowTerms#isSumOverRows}), each as {@code LINE:COL}: minibatches would estimate
   * them with a bias.
   */
  public static List<String> termsNotSummedOverRows(CheckedModel model) {
    Graph graph = new Graph(false);
    List<Node> inputs = new ArrayList<>();
    for (int slot = 0; slot < model.params().size(); slot++) {
      CheckedModel.Param p = model.params().get(slot);
      inputs.add(graph.input(p.name(), slot, Shape.of(p.size())));
    }
    ModelLowering lowering = new ModelLowering(model, graph);
    lowering.notSumsOverRows = new ArrayList<>();
    lowering.run(inputs);
    return lowering.notSumsOverRows;
  }

  /**
   * The model's derived quantities ({@code derived NAME = EXPR;}) as outputs named NAME, in
   * source order, of a function of the parameters (inputs on the unconstrained scale, as for
   * {@link #lower}); no output when the model has none. Never part of the potential.
   */
  public static IrFunction derived(CheckedModel model, Graph graph) {
    return reporting(model, graph, false, true);
  }

  /**
   * The parameters' values as the model's expressions see them (constrained), one output per
   * parameter named as it, in declaration order: what a draw reports where a bound is computed.
   */
  public static IrFunction constrained(CheckedModel model, Graph graph) {
    return reporting(model, graph, true, false);
  }

  /**
   * What a draw reports, as compiled code computes it for artifacts and {@code @FlowModel} classes:
   * each parameter's constrained values (outputs named as the parameters, in declaration order),
   * then the derived quantities (named as they are, in source order).
   */
  public static IrFunction reported(CheckedModel model, Graph graph) {
    return reporting(model, graph, true, true);
  }

  /** A function of the unconstrained parameters whose outputs are the parameters' values and/or the derived quantities. */
  private static IrFunction reporting(CheckedModel model, Graph graph, boolean parameters, boolean derived) {
    List<Node> inputs = new ArrayList<>();
    for (int slot = 0; slot < model.params().size(); slot++) {
      CheckedModel.Param p = model.params().get(slot);
      inputs.add(graph.input(p.name(), slot, Shape.of(p.size())));
    }
    ModelLowering lowering = new ModelLowering(model, graph);
    lowering.run(inputs);
    List<IrFunction.Output> outputs = new ArrayList<>();
    if (parameters) {
      for (CheckedModel.Param p : model.params()) {
        outputs.add(new IrFunction.Output(p.name(), lowering.globals.get(p.name())));
      }
    }
    if (derived) {
      for (Ast.Statement s : model.ast().statements()) {
        if (s instanceof LetDecl l && l.derived()) {
          outputs.add(new IrFunction.Output(l.name().text(), lowering.globals.get(l.name().text())));
        }
      }
    }
    return new IrFunction(graph, inputs, outputs);
  }

  /**
   * The potential U with each parameter bound to a given node (same shape, in declaration order):
   * how a flow's output z_K is fed to the model.
   */
  public static Node potential(CheckedModel model, Graph graph, List<Node> parameters) {
    return new ModelLowering(model, graph).run(parameters);
  }

  private Node run(List<Node> parameters) {
    for (DataLayout.Variable v : model.dataLayout().variables()) {
      if (v.dims().length < 2) {
        globals.put(v.name(), graph.data(v.name(), v.offset(), 0, shapeOf(v)));
      }
    }
    Node potential = null;
    for (int k = 0; k < model.params().size(); k++) {
      CheckedModel.Param p = model.params().get(k);
      Node u = parameters.get(k);
      if (!p.isBounded() && !p.ordered()) {
        globals.put(p.name(), u);
        continue;
      }
      if (p.ordered() && p.size() == 1) {
        globals.put(p.name(), u); // one element: x = u, log J = 0
        continue;
      }
      if (p.hasComputedBounds()) {
        Node lower = boundNode(p.lower(), p.decl().lower());
        Node upper = boundNode(p.upper(), p.decl().upper());
        globals.put(p.name(), constrain(u, lower, upper));
        if (rowsOnly) {
          continue;
        }
        Node logJacobian = logJacobian(u, lower, upper);
        Node term = graph.neg(logJacobian.shape().isScalar() ? logJacobian : graph.sum(logJacobian));
        potential = potential == null ? term : graph.add(potential, term);
        continue;
      }
      globals.put(p.name(), p.ordered() ? ordered(u) : constrain(u, p.lower(), p.upper()));
      if (rowsOnly) {
        continue;
      }
      Node logJacobian = p.ordered() ? graph.slice(u, 1, p.size() - 1) : logJacobian(u, p.lower(), p.upper());
      Node term = graph.neg(logJacobian.shape().isScalar() ? logJacobian : graph.sum(logJacobian));
      potential = potential == null ? term : graph.add(potential, term);
    }
    for (Ast.Statement s : model.ast().statements()) {
      if (s instanceof LetDecl l && model.matrixLets().containsKey(l.name().text()) && !isMatrixExpr(l.value())) {
        denseLets.put(l.name().text(), dense(l.value()));
      } else if (s instanceof LetDecl l && model.matrixLets().containsKey(l.name().text())) {
        matrixLets.put(l.name().text(), columns(l.value()));
      } else if (s instanceof LetDecl l) {
        globals.put(l.name().text(), lower(l.value(), globals));
      } else if (s instanceof Ast.StateDecl st) {
        globals.put(st.name().text(), lower(st.value(), globals));
      } else if (s instanceof Ast.Loop loop) {
        Node logp = loop(loop);
        if (notSumsOverRows != null && logp != null && RowTerms.readsRows(logp, model.dataLayout(), new HashMap<>())) {
          // its terms read earlier rows: no batch of rows estimates their sum
          notSumsOverRows.add(loop.span().line() + ":" + loop.span().column());
        }
        Node term = logp == null ? null : rowsOnly ? rowParts(logp) : scaleRows(logp);
        if (term != null) {
          potential = potential == null ? graph.neg(term) : graph.sub(potential, term);
        }
      } else if (s instanceof Contribution c) {
        Node unscaled = lower(c.value(), globals);
        if (notSumsOverRows != null && !RowTerms.isSumOverRows(unscaled, model.dataLayout(), new HashMap<>())) {
          notSumsOverRows.add(c.value().span().line() + ":" + c.value().span().column());
        }
        Node term = rowsOnly ? rowParts(unscaled) : scaleRows(unscaled);
        if (term == null) {
          continue;
        }
        if (c.kind() == Ast.ContributionKind.POTENTIAL) {
          potential = potential == null ? term : graph.add(potential, term);
        } else {
          potential = potential == null ? graph.neg(term) : graph.sub(potential, term);
        }
      }
    }
    return potential;
  }

  /**
   * Where the row scale lies in a model with free sizes: right after the raw data. The binding
   * writes 1 there, a minibatch binding N/B (PyMC3's {@code total_size} scaling).
   */
  public static int rowScaleSlot(DataLayout layout) {
    return layout.isDynamic() ? layout.size() : -1;
  }

  /**
   * A contribution with every additive part that reads rows of data (data of a free size, or
   * the size itself) multiplied by the row scale, so that a minibatch of B rows estimates the
   * sum over all N rows; the other parts (priors) are left alone.
   */
  private Node scaleRows(Node term) {
    int slot = rowScaleSlot(model.dataLayout());
    if (slot < 0 || !RowTerms.readsRows(term, model.dataLayout(), new HashMap<>())) {
      return term;
    }
    return switch (term.op()) {
      case ADD -> graph.add(scaleRows(term.arg(0)), scaleRows(term.arg(1)));
      case SUB -> graph.sub(scaleRows(term.arg(0)), scaleRows(term.arg(1)));
      case NEG -> graph.neg(scaleRows(term.arg(0)));
      default -> graph.mul(term, graph.data(RowTerms.SCALE_NAME, slot, Shape.SCALAR));
    };
  }

  /**
   * The additive parts of a contribution that read rows, split as {@link #scaleRows} splits it
   * and scaled as it scales them; null when none does.
   */
  private Node rowParts(Node term) {
    if (!RowTerms.readsRows(term, model.dataLayout(), new HashMap<>())) {
      return null;
    }
    return switch (term.op()) {
      case ADD, SUB -> {
        Node a = rowParts(term.arg(0));
        Node b = rowParts(term.arg(1));
        if (b == null) {
          yield a;
        }
        if (a == null) {
          yield term.op() == Op.ADD ? b : graph.neg(b);
        }
        yield term.op() == Op.ADD ? graph.add(a, b) : graph.sub(a, b);
      }
      case NEG -> graph.neg(rowParts(term.arg(0)));
      default -> scaleRows(term);
    };
  }

  /** {@code v[group]}, {@code v[group - 1]}: a gather by the data integers (the checker allowed only these). */
  private Node dataIndex(Index ix, Map<String, Node> env) {
    Expr index = ix.index();
    int shift = 0;
    if (index instanceof Binary b) {
      int k = Integer.parseInt(((Num) b.right()).text());
      shift = b.op() == Ast.BinaryOp.ADD ? k : -k;
      index = b.left();
    }
    return graph.gather(lower(ix.target(), env), globals.get(((Ident) index).name()), shift);
  }

  /** A data vector's shape (of its columns, for a matrix): fixed, or counted by a free size. */
  private Shape shapeOf(DataLayout.Variable v) {
    if (v.isDynamic()) {
      return Shape.dynamic(model.dataLayout().variable(v.rows()).offset(), v.rows());
    }
    return v.dims().length == 0 ? Shape.SCALAR : Shape.vector(v.dims()[0]);
  }

  /** A data matrix, a matrix let, or {@code cols}/{@code center} of one (the checker allowed only these). */
  private boolean isMatrixExpr(Expr e) {
    if (e instanceof Call c) {
      return (c.name().equals("cols") || c.name().equals("center")) && !model.functions().containsKey(c.name());
    }
    return e instanceof Ident id && !globals.containsKey(id.name()) && model.isMatrix(id.name())
        && !denseLets.containsKey(id.name()) && !isDenseLet(id.name());
  }

  /** A matrix expression of the matrix functions (the checker allowed only these on the left of a product with a vector). */
  private boolean isDense(Expr e) {
    if (e instanceof Ident id) {
      return !globals.containsKey(id.name()) && denseLets.containsKey(id.name());
    }
    if (e instanceof Call c) {
      return MatrixFunctions.isMatrixValued(c.name()) && !model.functions().containsKey(c.name());
    }
    if (!(e instanceof Binary b)) {
      return false;
    }
    // as the checker's: A + B, A - B, A * B, and a matrix scaled (s * A, A / s)
    return switch (b.op()) {
      case ADD, SUB -> isDenseOrMatrix(b.left()) && isDenseOrMatrix(b.right());
      case MUL -> isDenseOrMatrix(b.right());
      case DIV -> isDenseOrMatrix(b.left()) && !isDenseOrMatrix(b.right());
      default -> false;
    };
  }

  private boolean isDenseOrMatrix(Expr e) {
    return isMatrixExpr(e) || isDense(e);
  }

  /** Whether a matrix let is one of the matrix functions' (lowered as a matrix node, not as columns). */
  private boolean isDenseLet(String name) {
    for (Ast.Statement s : model.ast().statements()) {
      if (s instanceof LetDecl l && l.name().text().equals(name)) {
        return !isMatrixExpr(l.value());
      }
    }
    return false;
  }

  /**
   * A matrix expression as one matrix node: the matrix functions, products and sums of
   * matrices, and data matrices (their columns laid side by side).
   */
  private Node dense(Expr e) {
    if (isMatrixExpr(e)) {
      List<Node> columns = columns(e);
      for (Node column : columns) {
        if (column.shape().isDynamic()) {
          throw new DynamicShapeException(column.shape());
        }
      }
      int rows = columns.get(0).shape().size();
      Node byColumns = columns.size() == 1 && rows > 1 ? columns.get(0) : graph.concat(columns.toArray(Node[]::new));
      int[] all = new int[rows * columns.size()];
      for (int i = 0; i < all.length; i++) {
        all[i] = i;
      }
      return graph.transpose(graph.place(byColumns, columns.size(), rows, all));
    }
    if (e instanceof Ident id) {
      return denseLets.get(id.name());
    }
    if (e instanceof Binary b && b.op() == Ast.BinaryOp.DIV) {
      return graph.div(dense(b.left()), lower(b.right(), globals));
    }
    if (e instanceof Binary b && !isDenseOrMatrix(b.left())) {
      return graph.mul(lower(b.left(), globals), dense(b.right()));
    }
    if (e instanceof Binary b) {
      Node x = dense(b.left());
      Node y = dense(b.right());
      return switch (b.op()) {
        case MUL -> graph.matmul(x, y, false, false);
        case ADD -> graph.add(x, y);
        default -> graph.sub(x, y);
      };
    }
    Call c = (Call) e;
    switch (c.name()) {
      case "gp_exp_quad_cov" -> {
        return expQuadCov(lower(c.args().get(0), globals), lower(c.args().get(1), globals), lower(c.args().get(2), globals));
      }
      case "cholesky_decompose" -> {
        return graph.cholesky(dense(c.args().get(0)));
      }
      case "add_diag" -> {
        Node a = dense(c.args().get(0));
        return graph.add(a, diagonalMatrix(lower(c.args().get(1), globals), a.shape().rows()));
      }
      case "diag_matrix" -> {
        Node v = lower(c.args().get(0), globals);
        return diagonalMatrix(v, v.shape().size());
      }
      case "rep_matrix" -> {
        return graph.broadcast(lower(c.args().get(0), globals),
            Shape.matrix(columnBound(c.args().get(1)), columnBound(c.args().get(2))));
      }
      default -> {
        return graph.transpose(dense(c.args().get(0)));
      }
    }
  }

  /** The n x n matrix with d (a scalar, or a vector of n) on its diagonal and zeros elsewhere. */
  private Node diagonalMatrix(Node d, int n) {
    if (d.shape().isDynamic()) {
      throw new DynamicShapeException(d.shape());
    }
    Node packed = d.shape().isScalar() && n > 1 ? graph.broadcast(d, n) : d;
    return graph.place(packed, n, n, Graph.diagonalPositions(n));
  }

  /**
   * Stan's gp_exp_quad_cov: K[i,j] = alpha^2 exp(-0.5 (x[i] - x[j])^2 / rho^2), the squared
   * distances data alone when x is (computed once per binding), the diagonal alpha^2 exactly.
   */
  private Node expQuadCov(Node x, Node alpha, Node rho) {
    if (x.shape().isDynamic()) {
      throw new DynamicShapeException(x.shape());
    }
    int n = x.shape().size();
    Node ones = graph.broadcast(graph.constant(1), n);
    Node distance = graph.square(graph.sub(graph.outer(x, ones), graph.outer(ones, x)));
    Node scale = graph.div(graph.constant(-0.5), graph.square(rho));
    return graph.mul(graph.square(alpha), graph.exp(graph.mul(distance, scale)));
  }

  /** The functions that take matrices and give a scalar or a vector. */
  private Node matrixArguments(Call c) {
    switch (c.name()) {
      case "rep_vector" -> {
        return graph.broadcast(lower(c.args().get(0), globals), Shape.vector(columnBound(c.args().get(1))));
      }
      case "mdivide_left_tri_low" -> {
        return graph.triangularSolve(dense(c.args().get(0)), lower(c.args().get(1), globals), false);
      }
      case "diagonal" -> {
        return graph.diagonal(dense(c.args().get(0)));
      }
      case "log_determinant" -> {
        return graph.logAbsDeterminant(dense(c.args().get(0)));
      }
      case "log_determinant_spd" -> {
        return graph.mul(graph.constant(2), sumOfLogs(graph.diagonal(graph.cholesky(dense(c.args().get(0))))));
      }
      default -> {
        // multi_normal_cholesky_lpdf(y, mu, L) = -|L^-1 (y - mu)|^2 / 2 - sum(log diag L) - n log(2 pi) / 2;
        // multi_normal_lpdf(y, mu, Sigma) is that of Sigma's Cholesky factor, as Stan computes it
        Node l = c.name().equals("multi_normal_lpdf") ? graph.cholesky(dense(c.args().get(2))) : dense(c.args().get(2));
        int n = l.shape().rows();
        Node r = graph.triangularSolve(l, graph.sub(lower(c.args().get(0), globals), lower(c.args().get(1), globals)), false);
        Node quadratic = graph.mul(graph.constant(-0.5), graph.sum(graph.square(r)));
        Node normalizer = graph.constant(0.5 * n * Math.log(2 * Math.PI));
        return graph.sub(graph.sub(quadratic, sumOfLogs(graph.diagonal(l))), normalizer);
      }
    }
  }

  private Node sumOfLogs(Node v) {
    Node logs = graph.log(v);
    return logs.shape().isScalar() ? logs : graph.sum(logs);
  }

  /**
   * A data matrix expression's columns, each a data vector of the rows: a data matrix's columns
   * where they lie (stored by columns); {@code cols(M, from, to)} those columns of M;
   * {@code center(M)} each column minus its mean (data alone: computed once per binding, see
   * {@link io.flowc.compiler.ir.DataHoisting}).
   */
  private List<Node> columns(Expr e) {
    if (e instanceof Ident id) {
      List<Node> let = matrixLets.get(id.name());
      if (let != null) {
        return let;
      }
      DataLayout.Variable x = model.dataLayout().variables().stream().filter(d -> d.name().equals(id.name()))
          .findFirst().orElseThrow();
      List<Node> out = new ArrayList<>();
      for (int k = 0; k < x.dims()[1]; k++) {
        out.add(x.isDynamic()
            ? graph.data(x.name() + "[:," + k + "]", x.offset(), k, shapeOf(x))
            : graph.data(x.name() + "[:," + k + "]", x.offset() + k * x.dims()[0], 0, shapeOf(x)));
      }
      return out;
    }
    Call c = (Call) e;
    List<Node> of = columns(c.args().get(0));
    if (c.name().equals("cols")) {
      return of.subList(columnBound(c.args().get(1)), columnBound(c.args().get(2)));
    }
    List<Node> centered = new ArrayList<>();
    for (Node column : of) {
      centered.add(graph.sub(column, mean(column)));
    }
    return centered;
  }

  /** A bound of {@code cols}. */
  private int columnBound(Expr e) {
    return ColumnBounds.value(e, name -> {
      DataLayout.Variable size = model.dataLayout().variables().stream().filter(v -> v.name().equals(name))
          .findFirst().orElseThrow();
      return (int) model.dataValues()[size.offset()];
    });
  }

  /** The means of a data matrix's columns, as a vector. */
  private Node columnMeans(Expr e) {
    List<Node> columns = columns(e);
    Node[] means = new Node[columns.size()];
    for (int k = 0; k < means.length; k++) {
      means[k] = mean(columns.get(k));
    }
    return graph.concat(means);
  }

  /**
   * X v for a data matrix's columns as the sum over k of column k times v[k]: elementwise work
   * over the rows that loop fusion runs in one pass, value and gradient (the gradient with
   * respect to v[k] is a dot product with column k).
   */
  private Node matrixTimesVector(List<Node> columns, Node v) {
    Node sum = null;
    for (int k = 0; k < columns.size(); k++) {
      Node term = graph.mul(columns.get(k), graph.index(v, k));
      sum = sum == null ? term : graph.add(sum, term);
    }
    return sum;
  }

  /** The mean of a vector's elements: their sum over their count. */
  private Node mean(Node x) {
    return graph.div(graph.sum(x), count(x));
  }

  /** A vector's length as a value: a constant, or a free size read from the data. */
  private Node count(Node x) {
    return x.shape().isDynamic() ? sizeValue(x.shape()) : graph.constant(x.shape().length());
  }

  /** The value of a free size, read from the data like any {@code data int}. */
  private Node sizeValue(Shape shape) {
    DataLayout.Variable size = model.dataLayout().variables().stream()
        .filter(v -> v.dims().length == 0 && v.offset() == shape.sizeSlot()).findFirst().orElseThrow();
    return globals.get(size.name());
  }

  /** The formulas of {@link io.flowc.runtime.Constraints#constrain}, elementwise. */
  private Node constrain(Node u, double lower, double upper) {
    if (lower > Double.NEGATIVE_INFINITY && upper < Double.POSITIVE_INFINITY) {
      Node unit = graph.apply(Op.SIGMOID, u);
      return graph.add(graph.constant(lower), graph.mul(graph.constant(upper - lower), unit));
    } else if (lower > Double.NEGATIVE_INFINITY) {
      return graph.add(graph.constant(lower), graph.exp(u));
    }
    return graph.sub(graph.constant(upper), graph.exp(u));
  }

  /**
   * A bound of a parameter whose bounds are computed: the expression (of earlier parameters and
   * data, which {@link #globals} hold by now), a constant, or null where there is none.
   */
  private Node boundNode(double value, Expr expr) {
    if (Double.isNaN(value)) {
      return lower(expr, globals);
    }
    return Double.isInfinite(value) ? null : graph.constant(value);
  }

  /**
   * Stan's transforms with bounds that are nodes (null where absent; one at least): x = a + (b - a)
   * sigmoid(u), x = a + exp(u), x = b - exp(u), elementwise; the gradient reaches the parameters the
   * bounds read through a and b (Stan reference manual, "Constraint transforms").
   */
  private Node constrain(Node u, Node lower, Node upper) {
    if (lower != null && upper != null) {
      return graph.add(lower, graph.mul(graph.sub(upper, lower), graph.apply(Op.SIGMOID, u)));
    } else if (lower != null) {
      return graph.add(lower, graph.exp(u));
    }
    return graph.sub(upper, graph.exp(u));
  }

  /**
   * log |dx/du| of {@link #constrain(Node, Node, Node)}: log(b - a) - softplus(-u) - softplus(u)
   * for an interval (as a vector where u or a bound is one), u for one bound.
   */
  private Node logJacobian(Node u, Node lower, Node upper) {
    if (lower == null || upper == null) {
      return u;
    }
    Node tails = graph.add(graph.apply(Op.SOFTPLUS, graph.neg(u)), graph.apply(Op.SOFTPLUS, u));
    return graph.sub(graph.log(graph.sub(upper, lower)), tails);
  }

  /**
   * Stan's ordered vector, as {@link io.flowc.runtime.Constraints#ordered}: running sums of u[0],
   * exp(u[1]), ..., exp(u[n-1]) (n at least 2); its log-Jacobian is the sum of u[1..n).
   */
  private Node ordered(Node u) {
    int n = u.shape().length();
    return graph.cumsum(graph.concat(graph.index(u, 0), graph.exp(graph.slice(u, 1, n - 1))));
  }

  /** The formulas of {@link io.flowc.runtime.Constraints#logJacobian}, elementwise. */
  private Node logJacobian(Node u, double lower, double upper) {
    if (lower > Double.NEGATIVE_INFINITY && upper < Double.POSITIVE_INFINITY) {
      Node tails = graph.add(graph.apply(Op.SOFTPLUS, graph.neg(u)), graph.apply(Op.SOFTPLUS, u));
      return graph.sub(graph.constant(Math.log(upper - lower)), tails);
    }
    return u;
  }

  private Node lower(Expr e, Map<String, Node> env) {
    if (e instanceof Num n) {
      return graph.constant(n.value());
    } else if (e instanceof Ident id) {
      Node n = env.get(id.name());
      return n != null ? n : graph.constant(Builtin.CONSTANTS.get(id.name()));
    } else if (e instanceof Unary u) {
      Node a = lower(u.operand(), env);
      return switch (u.op()) {
        case NEG -> graph.neg(a);
        case PLUS -> a;
        case NOT -> graph.apply(Op.NOT, a);
      };
    } else if (e instanceof Binary b && b.op() == Ast.BinaryOp.MUL && env == globals && isMatrixExpr(b.left())) {
      return matrixTimesVector(columns(b.left()), lower(b.right(), env));
    } else if (e instanceof Binary b && b.op() == Ast.BinaryOp.MUL && env == globals && isDense(b.left())) {
      return graph.matvec(dense(b.left()), lower(b.right(), env));
    } else if (e instanceof Binary b) {
      Node l = lower(b.left(), env);
      Node r = lower(b.right(), env);
      return graph.apply(switch (b.op()) {
        case ADD -> Op.ADD;
        case SUB -> Op.SUB;
        case MUL -> Op.MUL;
        case DIV -> Op.DIV;
        case POW -> Op.POW;
        case LT -> Op.LT;
        case LE -> Op.LE;
        case GT -> Op.GT;
        case GE -> Op.GE;
        case EQ -> Op.EQ;
        case NE -> Op.NE;
        case AND -> Op.AND;
        case OR -> Op.OR;
      }, l, r);
    } else if (e instanceof Conditional c) {
      return graph.select(lower(c.cond(), env), lower(c.then(), env), lower(c.otherwise(), env));
    } else if (e instanceof Call c && c.name().equals(Ast.WINDOW)) {
      return loopBody.window(c);
    } else if (e instanceof Call c) {
      return call(c, env);
    } else if (e instanceof Index ix && loopBody != null && loopBody.indexes(ix)) {
      return loopBody.element(ix);
    } else if (e instanceof Index ix && !(ix.index() instanceof Num)) {
      return dataIndex(ix, env);
    } else if (e instanceof Index ix) {
      return graph.index(lower(ix.target(), env), Integer.parseInt(((Num) ix.index()).text()));
    } else {
      List<Expr> elements = ((VectorLit) e).elements();
      Node[] parts = new Node[elements.size()];
      for (int i = 0; i < parts.length; i++) {
        parts[i] = lower(elements.get(i), env);
      }
      return graph.concat(parts);
    }
  }

  /**
   * Stan's {@code log_mix(theta, lp1, lp2)} = log(theta exp(lp1) + (1 - theta) exp(lp2)),
   * elementwise, as logaddexp(log(theta) + lp1, log1p(-theta) + lp2): no exp of a log density
   * overflows or underflows.
   */
  private Node logMix(Node theta, Node lp1, Node lp2) {
    Node first = graph.add(graph.log(theta), lp1);
    Node second = graph.add(graph.apply(Op.LOG1P, graph.neg(theta)), lp2);
    return graph.apply(Op.LOGADDEXP, first, second);
  }

  private Node call(Call c, Map<String, Node> env) {
    if (c.name().equals("reverse") && !model.functions().containsKey(c.name())) {
      return reverse(lower(c.args().get(0), env));
    }
    if (c.name().equals("col_means") && env == globals && !model.functions().containsKey(c.name())) {
      return columnMeans(c.args().get(0));
    }
    if (MatrixFunctions.takesMatrix(c.name()) && env == globals && !model.functions().containsKey(c.name())) {
      return matrixArguments(c);
    }
    List<Node> args = new ArrayList<>();
    for (Expr a : c.args()) {
      args.add(lower(a, env));
    }
    FnDecl fn = model.functions().get(c.name());
    if (fn != null) {
      Map<List<Node>, Node> memo = inlined.computeIfAbsent(fn, k -> new HashMap<>());
      Node known = memo.get(args);
      if (known != null) {
        return known;
      }
      Map<String, Node> local = new HashMap<>();
      for (int i = 0; i < args.size(); i++) {
        local.put(fn.params().get(i).text(), args.get(i));
      }
      Node result = lower(fn.body(), local);
      memo.put(args, result);
      return result;
    }
    Builtin b = Builtin.byName(c.name()).orElseThrow();
    Node x = args.get(0);
    return switch (b) {
      case SIN -> graph.apply(Op.SIN, x);
      case COS -> graph.apply(Op.COS, x);
      case TAN -> graph.apply(Op.TAN, x);
      case ASIN -> graph.apply(Op.ASIN, x);
      case ACOS -> graph.apply(Op.ACOS, x);
      case ATAN -> graph.apply(Op.ATAN, x);
      case ATAN2 -> graph.apply(Op.ATAN2, x, args.get(1));
      case SINH -> graph.apply(Op.SINH, x);
      case COSH -> graph.apply(Op.COSH, x);
      case TANH -> graph.apply(Op.TANH, x);
      case EXP -> graph.apply(Op.EXP, x);
      case EXPM1 -> graph.apply(Op.EXPM1, x);
      case LOG -> graph.apply(Op.LOG, x);
      case LOG1P -> graph.apply(Op.LOG1P, x);
      case SQRT -> graph.apply(Op.SQRT, x);
      case SQUARE -> graph.apply(Op.SQUARE, x);
      case ABS -> graph.apply(Op.ABS, x);
      case POW -> graph.apply(Op.POW, x, args.get(1));
      case MIN -> graph.apply(Op.MIN, x, args.get(1));
      case MAX -> graph.apply(Op.MAX, x, args.get(1));
      case SIGMOID -> graph.apply(Op.SIGMOID, x);
      case LOGIT -> graph.apply(Op.LOGIT, x);
      case SOFTPLUS -> graph.apply(Op.SOFTPLUS, x);
      case LOGADDEXP -> graph.apply(Op.LOGADDEXP, x, args.get(1));
      case ERF -> graph.apply(Op.ERF, x);
      case ERFC -> graph.apply(Op.ERFC, x);
      case LGAMMA -> graph.apply(Op.LGAMMA, x);
      case SUM -> graph.sum(x);
      case MEAN -> mean(x);
      case NORM -> graph.sqrt(graph.sum(graph.square(x)));
      case SD -> graph.sqrt(graph.div(graph.sum(graph.square(graph.sub(x, mean(x)))),
          graph.sub(count(x), graph.constant(1))));
      case DOT -> graph.sum(graph.mul(x, args.get(1)));
      case LOG_MIX -> logMix(x, args.get(1), args.get(2));
      case LOGSUMEXP, LOG_SUM_EXP -> graph.apply(Op.LOGSUMEXP, args.size() == 1 ? x : graph.concat(args.toArray(Node[]::new)));
      case NORMAL_LPDF, STUDENT_T_LPDF, CAUCHY_LPDF, EXPONENTIAL_LPDF, GAMMA_LPDF, BETA_LPDF, LOGNORMAL_LPDF,
          BERNOULLI_LOGIT_LPMF, POISSON_LOG_LPMF, BINOMIAL_LOGIT_LPMF -> new Distributions(graph).logDensity(b, args);
    };
  }

  // ---- loops --------------------------------------------------------------------------------

  /**
   * {@code for t in FROM:TO { ... }} as one scan (docs/internals.md, "Scan: loops in the IR and
   * the kernels"): its carries are the states the body assigns, its stacked inputs the slices
   * {@code v[FROM + k .. TO + k)} of each {@code v[t + k]} the body reads, its constants the
   * values from before the loop that it reads whole (parameters, lets, states it does not
   * assign), and its one per-iteration output the iteration's log density terms, summed after
   * the loop. The states hold their final values afterwards. The log density the loop adds;
   * null when its body adds none.
   */
  private Node loop(Ast.Loop loop) {
    int from = ColumnBounds.value(loop.from(), this::dataInt);
    int length = ColumnBounds.value(loop.to(), this::dataInt) - from;
    Shape count = runTimeCount(loop.to());
    LoopBody body = new LoopBody(loop.index().text(), from, length, new Graph(graph.simplifies()), count);
    ModelLowering inner = new ModelLowering(model, body.graph, body);
    inner.loopBody = body;
    List<String> carried = new ArrayList<>();
    for (Ast.Statement s : loop.body()) {
      if (s instanceof Ast.Assign a && !carried.contains(a.name().text())) {
        carried.add(a.name().text());
        body.carry(a.name().text());
      }
    }
    // a loop of run-time count adds up its terms in a carry; one of fixed count stacks them and
    // sums them in order, first iteration first: the same additions, so an artifact with free
    // sizes gives the bits of the model compiled for its data (and the iterations stay independent)
    Node sum = count == null ? null : body.graph.input(LOGP_SUM, body.slot++, Shape.SCALAR);
    Node logp = null;
    for (Ast.Statement s : loop.body()) {
      if (s instanceof LetDecl l) {
        body.local.put(l.name().text(), inner.lower(l.value(), body));
      } else if (s instanceof Ast.Assign a) {
        body.local.put(a.name().text(), inner.lower(a.value(), body));
      } else if (s instanceof Contribution c) {
        Node term = inner.lower(c.value(), body);
        if (c.kind() == Ast.ContributionKind.POTENTIAL) {
          term = body.graph.neg(term);
        }
        logp = logp == null ? term : body.graph.add(logp, term);
      }
    }
    List<IrFunction.Output> outputs = new ArrayList<>();
    for (String state : carried) {
      outputs.add(new IrFunction.Output(state, body.local.get(state)));
    }
    if (body.indexCarry != null) {
      body.carryInputs.add(body.indexCarry);
      carried.add(body.index);
      outputs.add(new IrFunction.Output(body.index, body.graph.add(body.indexCarry, body.graph.constant(1))));
    }
    if (logp != null && count != null) {
      body.carryInputs.add(sum);
      carried.add(LOGP_SUM);
      outputs.add(new IrFunction.Output(LOGP_SUM, body.graph.add(sum, logp)));
    } else if (logp != null) {
      outputs.add(new IrFunction.Output("logp", logp));
    }
    if (outputs.isEmpty()) {
      return null; // a body without states or terms changes nothing
    }
    if (count != null) {
      return runTimeLoop(body, carried, outputs, count);
    }
    LoopScan loopScan = loopScan(body, carried, outputs);
    ScanBody scanBody = loopScan.body();
    Node scan = graph.scan(scanBody, length, false, true, loopScan.args());
    takeFinalCarries(scan, scanBody, carried, body);
    return logp == null ? null : graph.sumInOrder(graph.slice(scan, scanBody.yOffset(0, length), length));
  }

  /** A loop's scan body and the scan's arguments: the carries' initial values, the stacked inputs, the constants. */
  private record LoopScan(ScanBody body, Node[] args) {}

  /** A loop's body as a scan's, its values that read no carry and no slice hoisted before the loop. */
  private LoopScan loopScan(LoopBody body, List<String> carried, List<IrFunction.Output> outputs) {
    List<Node> inputs = new ArrayList<>(body.carryInputs);
    inputs.addAll(body.sliceInputs);
    inputs.addAll(body.constantInputs);
    int varying = carried.size() + body.sliceInputs.size();
    LoopInvariants.Hoisted hoisted = LoopInvariants.hoist(new IrFunction(body.graph, inputs, outputs), varying,
        body.constants, graph);
    List<Node> args = new ArrayList<>();
    carried.forEach(state -> args.add(initialCarry(state, body)));
    args.addAll(body.slices);
    args.addAll(hoisted.constants());
    return new LoopScan(new ScanBody(hoisted.body(), carried.size(), body.sliceInputs.size()), args.toArray(Node[]::new));
  }

  /** After the loop each state holds its final carry (the index and the sum of the terms are the loop's own). */
  private void takeFinalCarries(Node scan, ScanBody scanBody, List<String> carried, LoopBody body) {
    for (int i = 0; i < carried.size(); i++) {
      String state = carried.get(i);
      if (state.equals(LOGP_SUM) || state.equals(body.index)) {
        continue;
      }
      Shape shape = scanBody.carryShape(i);
      int offset = scanBody.finalCarryOffset(i);
      globals.put(state, shape.isScalar() ? graph.index(scan, offset) : graph.slice(scan, offset, shape.size()));
    }
  }

  /** v's elements in the opposite order: a concatenation of its elements, last first. */
  private Node reverse(Node v) {
    if (v.shape().isScalar()) {
      return v;
    }
    if (v.shape().isDynamic()) {
      throw new DynamicShapeException(v.shape());
    }
    int n = v.shape().length();
    Node[] parts = new Node[n];
    for (int i = 0; i < n; i++) {
      parts[i] = graph.index(v, n - 1 - i);
    }
    return n == 1 ? v : graph.concat(parts);
  }

  /** A carry's value entering the loop: a state's, 0 for the sum of the terms, FROM for t. */
  private Node initialCarry(String carry, LoopBody body) {
    if (carry.equals(LOGP_SUM)) {
      return graph.constant(0);
    }
    return carry.equals(body.index) ? graph.constant(body.from) : globals.get(carry);
  }

  /** The carry of a loop of run-time count that adds up its iterations' log density terms. */
  private static final String LOGP_SUM = "logp.sum";

  /**
   * The size a loop's upper bound reads, when it is free (bound at run time), as the dynamic
   * shape of the vectors it counts, with the loop's count {@code (int) w[slot] + shift - FROM}
   * left to {@link #runTimeLoop}; null when the bound is fixed.
   */
  private Shape runTimeCount(Ast.Expr to) {
    Ast.Expr base = to instanceof Binary b ? b.left() : to;
    if (!(base instanceof Ident id)) {
      return null;
    }
    for (DataLayout.Variable v : model.dataLayout().variables()) {
      if (v.isDynamic() && v.rows().equals(id.name())) {
        return shapeOf(v);
      }
    }
    return null;
  }

  /**
   * A loop whose count is a free size plus or minus literals, as a scan of run-time count
   * ({@link Graph#scan(ScanBody, int, int, boolean, boolean, int[], Node...)}): its stacked
   * inputs read the whole data vectors from {@code FROM + k} on, its log density terms add up in
   * the last carry (initially 0, so the sum is SUM's of the stacked terms, bit for bit), and its
   * saved rows lie beyond the data, as long as the data make them.
   */
  private Node runTimeLoop(LoopBody body, List<String> carried, List<IrFunction.Output> outputs, Shape size) {
    int logpCarry = carried.indexOf(LOGP_SUM);
    LoopScan loopScan = loopScan(body, carried, outputs);
    ScanBody scanBody = loopScan.body();
    int[] offsets = new int[2 * body.slices.size()];
    for (int j = 0; j < body.sliceStarts.size(); j++) {
      offsets[2 * j] = body.sliceStarts.get(j);
    }
    int shift = body.length - (dataInt(size.sizeName()));
    Node scan = graph.scan(scanBody, size.sizeSlot(), shift, false, true, offsets, loopScan.args());
    takeFinalCarries(scan, scanBody, carried, body);
    return logpCarry < 0 ? null : graph.index(scan, scanBody.finalCarryOffset(logpCarry));
  }

  /** The value of a {@code data int} by name, as bound when the model was checked. */
  private int dataInt(String name) {
    DataLayout.Variable v = model.dataLayout().variable(name);
    return (int) model.dataValues()[v.offset()];
  }

  /**
   * The names a loop's body sees, made in the body's graph as they are first read: its own lets
   * and the states it assigns (their current values), data and literal constants as leaves of
   * the body's graph, anything else from before the loop as a constant input of the scan.
   */
  private final class LoopBody extends HashMap<String, Node> {
    final String index;
    final int from;
    final int length;
    final Graph graph;
    final Map<String, Node> local = new HashMap<>();
    final List<Node> carryInputs = new ArrayList<>();
    final List<Node> sliceInputs = new ArrayList<>();
    final List<Node> slices = new ArrayList<>();
    final List<Node> constantInputs = new ArrayList<>();
    final List<Node> constants = new ArrayList<>();
    /** Where each stacked input's slices start in its whole vector (a loop of run-time count). */
    final List<Integer> sliceStarts = new ArrayList<>();
    /** The free size counting a loop of run-time count's vectors; null for a loop of fixed count. */
    final Shape runTimeSize;
    /** The carry holding t when the body reads it as a number; null when it does not. */
    Node indexCarry;
    private final Map<String, Node> sliceByName = new HashMap<>();
    private int slot;

    LoopBody(String index, int from, int length, Graph graph, Shape runTimeSize) {
      this.index = index;
      this.from = from;
      this.length = length;
      this.graph = graph;
      this.runTimeSize = runTimeSize;
    }

    void carry(String state) {
      Node input = graph.input(state, slot++, globals.get(state).shape());
      carryInputs.add(input);
      local.put(state, input);
    }

    @Override
    public Node get(Object key) {
      String name = (String) key;
      Node known = local.get(name);
      if (known != null) {
        return known;
      }
      if (name.equals(index)) {
        // t read as a number: a carry that starts at FROM and gains 1 an iteration
        indexCarry = graph.input(name, slot++, Shape.SCALAR);
        local.put(name, indexCarry);
        return indexCarry;
      }
      Node outer = globals.get(name);
      if (outer == null) {
        return null; // a constant such as pi, or a function's argument
      }
      if (outer.shape().isDynamic()) {
        // a body is scheduled with fixed places only: a free-size vector read whole fixes its size
        throw new DynamicShapeException(outer.shape());
      }
      Node inner = outer.op() == Op.DATA || outer.op() == Op.CONST ? graph.copyLeaf(outer)
          : graph.input(name, slot++, outer.shape());
      if (inner.op() == Op.INPUT) {
        constantInputs.add(inner);
        constants.add(outer);
      }
      local.put(name, inner);
      return inner;
    }

    @Override
    public boolean containsKey(Object key) {
      return get(key) != null;
    }

    /** Whether an index is the loop's: {@code t}, {@code t + k}, {@code t - k}. */
    boolean indexes(Index ix) {
      Expr base = ix.index() instanceof Binary b ? b.left() : ix.index();
      return base instanceof Ident id && id.name().equals(index);
    }

    /** {@code v[t + k]}: this iteration's element of the stacked slice v[from + k .. from + k + length). */
    Node element(Index ix) {
      return elementAt(((Ident) ix.target()).name(), shift(ix.index()));
    }

    /**
     * A window {@code v[t + a:t + b]}: this iteration's elements t + a .. t + b - 1 of v, each a
     * stacked input as {@code v[t + k]} is, so a window reads nothing a lag written out would not.
     */
    Node window(Call c) {
      String name = ((Ident) c.args().get(0)).name();
      int lo = shift(c.args().get(1));
      int hi = shift(c.args().get(2));
      Node[] parts = new Node[hi - lo];
      for (int k = 0; k < parts.length; k++) {
        parts[k] = elementAt(name, lo + k);
      }
      return parts.length == 1 ? parts[0] : graph.concat(parts);
    }

    /** k of {@code t}, {@code t + k}, {@code t - k}, k a literal or a data int. */
    private int shift(Expr e) {
      return e instanceof Binary b ? (b.op() == Ast.BinaryOp.ADD ? 1 : -1) * columnBound(b.right()) : 0;
    }

    private Node elementAt(String name, int shift) {
      return sliceByName.computeIfAbsent(name + "[" + index + (shift < 0 ? "" : "+") + shift + "]", key -> {
        Node outer = globals.get(name);
        if (runTimeSize != null) {
          // read in place, from FROM + k on: data whose rows the loop's size counts, or its size is fixed
          if (outer.op() != Op.DATA || !outer.shape().equals(runTimeSize)) {
            throw new DynamicShapeException(runTimeSize, outer.shape());
          }
          slices.add(outer);
          sliceStarts.add(from + shift);
        } else {
          slices.add(ModelLowering.this.graph.slice(outer, from + shift, length));
        }
        Node input = graph.input(key, slot++, Shape.SCALAR);
        sliceInputs.add(input);
        return input;
      });
    }
  }
}
