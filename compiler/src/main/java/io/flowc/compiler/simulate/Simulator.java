package io.flowc.compiler.simulate;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.Diagnostic;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.diag.Span;
import io.flowc.compiler.frontend.Ast;
import io.flowc.compiler.frontend.Ast.Call;
import io.flowc.compiler.frontend.Ast.Contribution;
import io.flowc.compiler.frontend.Ast.DataDecl;
import io.flowc.compiler.frontend.Ast.Expr;
import io.flowc.compiler.frontend.Ast.Ident;
import io.flowc.compiler.frontend.Ast.Index;
import io.flowc.compiler.frontend.Ast.LetDecl;
import io.flowc.compiler.frontend.Ast.Num;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.frontend.ModelParsing;
import io.flowc.compiler.interp.Interpreter;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.many.ManyFits;
import io.flowc.runtime.random.DrawException;
import io.flowc.runtime.random.Family;
import io.flowc.runtime.random.Variates;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A model's prior predictive simulator: runs the sampling statements {@code x ~ D(...)} forward in
 * source order, drawing each parameter from its prior (on the constrained scale, truncated to its
 * bounds) and each data value declared with {@code ~} from its likelihood, given what was drawn
 * before; data not drawn (sizes, predictors) come from a base data set. {@code let}s are
 * definitions: each is evaluated, by the reference {@link Interpreter}, when a statement first
 * needs it. A parameter bounded on both sides with no statement of its own is uniform between its
 * bounds (the model's density is flat there).
 *
 * <p>Refused, each at its line and column: a {@code potential} or {@code logp +=} statement
 * (their density cannot be drawn from), a parameter without a prior statement (unless bounded on
 * both sides), a value read before the statement that draws it, a distribution with no
 * generator, a {@code ~} on something that is neither a parameter nor data (nor an element of
 * one), a value given two {@code ~} statements, a discrete distribution for a parameter or a
 * continuous one for a {@code data int}, drawing a data integer that gives sizes or indices, and an
 * {@code ordered} parameter.
 *
 * <p>A data file usually lacks the values a model draws: {@link #check} checks a model with
 * placeholders for them. {@link #simulate} is thread-safe (each call keeps its own values) and
 * draws only from the random source it is given, so a seed fixes a simulation.
 */
public final class Simulator {
  private final CheckedModel model;
  private final List<Step> steps;
  /** Names of the data that sampling statements draw, in declaration order. */
  private final Set<String> drawnData;
  private final Map<String, DataDecl> dataDecls;
  /** Parameters bounded on both sides without a statement of their own: uniform. */
  private final List<CheckedModel.Param> uniform;

  /** What a sampling statement draws: a parameter or data value, or one element of it ({@code element >= 0}). */
  private record Target(String name, int element, boolean parameter) {}

  /** One sampling statement and the {@code let}s first needed by it, in the order they depend on each other. */
  private record Step(Contribution statement, Call call, Target target, Family family, List<LetDecl> lets) {}

  private Simulator(CheckedModel model, List<Step> steps, Set<String> drawnData, Map<String, DataDecl> dataDecls,
      List<CheckedModel.Param> uniform) {
    this.model = model;
    this.steps = List.copyOf(steps);
    this.drawnData = drawnData;
    this.dataDecls = dataDecls;
    this.uniform = List.copyOf(uniform);
  }

  /**
   * The simulator of a checked model.
   *
   * @throws CompileException with every reason the model cannot be simulated, at its line and column
   */
  public static Simulator of(CheckedModel model) throws CompileException {
    Analysis analysis = new Analysis(model);
    analysis.run();
    if (!analysis.diagnostics.isEmpty()) {
      throw new CompileException(analysis.diagnostics.stream()
          .sorted(Comparator.comparingInt(d -> d.span().start())).toList());
    }
    Simulator simulator = new Simulator(model, analysis.steps, analysis.drawnData(), analysis.dataDecls,
        analysis.uniform);
    simulator.checkShapes();
    return simulator;
  }

  /**
   * Parses and checks a model for simulation: data that sampling statements draw may be absent
   * from {@code base} or have another shape there (they are given placeholder values of their
   * declared shape, which the simulation replaces); the others must be there as for any command.
   *
   * @param base the data not drawn (null: none)
   */
  public static CheckedModel check(SourceFile source, DataSet base) throws CompileException {
    ModelParsing.Result parsed = ModelParsing.parse(source);
    if (!parsed.ok()) {
      return FrontEnd.check(source, base);
    }
    Map<String, DataSet.Value> values = new LinkedHashMap<>(base == null ? Map.of() : base.values());
    Map<String, String> unusable = new LinkedHashMap<>();
    List<DataDecl> decls = parsed.model().statements().stream()
        .filter(DataDecl.class::isInstance).map(DataDecl.class::cast).toList();
    Set<String> drawn = drawnDataNames(parsed.model());
    for (DataDecl d : decls) {
      String name = d.name().text();
      int[] dims = drawn.contains(name) ? declaredDims(d, values) : null;
      if (dims != null && !(values.containsKey(name) && Arrays.equals(values.get(name).dims(), dims))) {
        // the simulation draws it: a value of another shape, or none, in the file does not matter
        double[] ones = new double[count(dims)];
        // 1: a valid value for every outcome the checker looks at (a count, a 1-based index)
        Arrays.fill(ones, 1);
        values.put(name, new DataSet.Value(dims, ones));
      } else if (dims == null && base != null && base.unusable(name) != null) {
        unusable.put(name, base.unusable(name));
      }
    }
    if (base == null && values.isEmpty()) {
      return FrontEnd.check(source, null);
    }
    return FrontEnd.check(source, new DataSet(base == null ? "(no data)" : base.source(), values, unusable));
  }

  /**
   * The random stream of simulation {@code k} of a run seeded with {@code seed}: the k-th line of
   * {@code flowc simulate} and the k-th simulation of {@code flowc sbc}. Its own hash of (seed,
   * "sim:k"), so that it is independent of the fit of the data set with id "k", seeded by
   * {@link ManyFits#seedOf}(seed, "k").
   */
  public static SplittableRandom random(long seed, int k) {
    return new SplittableRandom(ManyFits.seedOf(seed, "sim:" + k));
  }

  /**
   * One joint draw: parameters from their priors, then the {@code ~} data from the likelihood;
   * {@code base} supplies the data not drawn (null for a model that draws all its data).
   *
   * @throws SimulationException if a drawn value is one a later statement cannot take (a scale
   *     drawn negative), naming that statement
   * @throws IllegalArgumentException if {@code base} lacks a value the model does not draw
   */
  public Simulation simulate(DataSet base, SplittableRandom random) {
    try {
      return run(base, random);
    } catch (ShapeException e) {
      throw new SimulationException(e.diagnostic);
    }
  }

  /** The values of one simulation, as they are drawn. */
  private final class Run {
    final Interpreter.Scope scope = Interpreter.scope(model);
    final Map<String, double[]> drawn = new LinkedHashMap<>();
    final Map<String, int[]> drawnDims = new HashMap<>();
    final Map<String, DataSet.Value> given = new HashMap<>();

    /** Makes a value's elements drawn so far (NaN for the others) visible to the expressions. */
    void bind(String name) {
      scope.bind(name, new DataSet.Value(drawnDims.get(name), drawn.get(name)));
    }
  }

  private Simulation run(DataSet base, SplittableRandom random) {
    Run run = new Run();
    for (DataDecl d : dataDecls.values()) {
      String name = d.name().text();
      if (drawnData.contains(name)) {
        continue;
      }
      DataSet.Value value = base == null ? null : base.get(name);
      if (value == null) {
        throw new IllegalArgumentException("the data set lacks '" + name + "', which the model does not draw");
      }
      run.given.put(name, value);
      run.scope.bind(name, value);
    }
    for (CheckedModel.Param p : model.params()) {
      double[] x = new double[p.elementCount()];
      Arrays.fill(x, Double.NaN);
      run.drawn.put(p.name(), x);
      run.drawnDims.put(p.name(), p.isScalar() ? new int[0] : new int[] {p.size()});
    }
    for (String name : drawnData) {
      int[] dims = declaredDims(dataDecls.get(name), run.given);
      if (dims == null) {
        throw new IllegalArgumentException("the data set lacks the sizes of '" + name + "'");
      }
      double[] x = new double[count(dims)];
      Arrays.fill(x, Double.NaN);
      run.drawn.put(name, x);
      run.drawnDims.put(name, dims);
    }
    for (CheckedModel.Param p : uniform) {
      double[] x = run.drawn.get(p.name());
      for (int i = 0; i < x.length; i++) {
        x[i] = uniformWithin(random, p.lower(), p.upper());
      }
      run.bind(p.name());
    }
    for (Step step : steps) {
      draw(run, step, random);
    }
    Map<String, DataSet.Value> parameters = new LinkedHashMap<>();
    for (CheckedModel.Param p : model.params()) {
      parameters.put(p.name(), new DataSet.Value(run.drawnDims.get(p.name()), run.drawn.get(p.name())));
    }
    Map<String, DataSet.Value> data = new LinkedHashMap<>();
    for (String name : dataDecls.keySet()) {
      data.put(name, drawnData.contains(name)
          ? new DataSet.Value(run.drawnDims.get(name), run.drawn.get(name)) : run.given.get(name));
    }
    return new Simulation(parameters, new DataSet("simulation", data));
  }

  /** Uniform on the open interval (lower, upper). */
  private static double uniformWithin(SplittableRandom random, double lower, double upper) {
    double x;
    do {
      x = lower + (upper - lower) * Variates.openUniform(random);
    } while (!(x > lower && x < upper));
    return x;
  }

  /** Runs one sampling statement: its lets, its arguments, then a draw for each element it draws. */
  private void draw(Run run, Step step, SplittableRandom random) {
    for (LetDecl let : step.lets()) {
      evaluateAt(step, () -> {
        run.scope.define(let.name().text(), let.value());
        return null;
      });
    }
    Target t = step.target();
    double[] values = run.drawn.get(t.name());
    boolean scalar = t.element() >= 0 || run.drawnDims.get(t.name()).length == 0;
    int n = t.element() >= 0 ? 1 : values.length;
    List<DataSet.Value> args = arguments(run, step, scalar, n);
    CheckedModel.Param param = t.parameter() ? paramNamed(t.name()) : null;
    // bounds computed from values drawn before: evaluated now, one value or one per element
    DataSet.Value lower = computedBound(run, step, param, true, scalar, n);
    DataSet.Value upper = computedBound(run, step, param, false, scalar, n);
    boolean integer = !t.parameter() && dataDecls.get(t.name()).integer();
    double[] p = new double[args.size()];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < p.length; k++) {
        DataSet.Value a = args.get(k);
        p[k] = a.elements()[a.dims().length == 0 ? 0 : i];
      }
      int element = t.element() >= 0 ? t.element() : i;
      String problem = step.family().problem(p);
      if (problem != null) {
        throw new SimulationException(error(step.call().nameSpan(), step.family().describe(p) + ": " + problem
            + where(scalar, element)));
      }
      double x;
      try {
        x = param == null ? step.family().draw(random, p)
            : step.family().drawWithin(random, p, bound(lower, param.lower(), i), bound(upper, param.upper(), i));
      } catch (DrawException e) {
        throw new SimulationException(error(step.call().nameSpan(), "cannot draw '" + describe(t) + "'"
            + where(scalar, element) + ": " + e.getMessage()));
      }
      if (integer && Math.abs(x) > Integer.MAX_VALUE) {
        throw new SimulationException(error(step.call().nameSpan(), "drew " + DataSet.format(x) + " for data int '"
            + t.name() + "'" + where(scalar, element) + ", beyond the range of a Java int"));
      }
      values[element] = x;
    }
    run.bind(t.name());
  }

  /**
   * A parameter's lower (or upper) bound where it is computed (null where it is constant or
   * absent), on the values drawn so far: for one element drawn ({@code x[2] ~ ...}), that element's.
   */
  private DataSet.Value computedBound(Run run, Step step, CheckedModel.Param param, boolean lower, boolean scalar,
      int n) {
    if (param == null || !Double.isNaN(lower ? param.lower() : param.upper())) {
      return null;
    }
    Expr e = lower ? param.decl().lower() : param.decl().upper();
    DataSet.Value v = evaluateAt(step, () -> run.scope.evaluate(e));
    if (v.dims().length > 0 && step.target().element() >= 0) {
      return new DataSet.Value(new int[0], new double[] {v.elements()[step.target().element()]});
    }
    return v;
  }

  /** Element i's bound: the computed one where there is one, else the constant. */
  private static double bound(DataSet.Value computed, double constant, int i) {
    return computed == null ? constant : computed.elements()[computed.dims().length == 0 ? 0 : i];
  }

  /** The distribution's arguments, each one value or one per element drawn ({@code n}). */
  private List<DataSet.Value> arguments(Run run, Step step, boolean scalar, int n) {
    List<Expr> exprs = step.call().args().subList(1, step.call().args().size());
    List<DataSet.Value> args = new ArrayList<>();
    for (int k = 0; k < exprs.size(); k++) {
      Expr e = exprs.get(k);
      DataSet.Value a = evaluateAt(step, () -> run.scope.evaluate(e));
      if (a.dims().length > 0 && (scalar || a.dims()[0] != n)) {
        String what = scalar ? " is one value" : " has " + n;
        throw new ShapeException(error(e.span(), "argument '" + step.family().parameters().get(k) + "' of "
            + step.family().symbol() + " has " + a.dims()[0] + " elements, but '" + describe(step.target()) + "'"
            + what + ": simulation draws each element once"));
      }
      args.add(a);
    }
    return args;
  }

  private static String where(boolean scalar, int element) {
    return scalar ? "" : " (element " + element + ")";
  }

  private interface Evaluation<T> {
    T get();
  }

  /** An evaluation of the model's expressions; an index out of range (from data) is reported at the statement. */
  private <T> T evaluateAt(Step step, Evaluation<T> evaluation) {
    try {
      return evaluation.get();
    } catch (IllegalArgumentException e) {
      throw new SimulationException(error(step.statement().span(), e.getMessage()));
    }
  }

  private CheckedModel.Param paramNamed(String name) {
    return model.params().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
  }

  private static String describe(Target t) {
    return t.element() >= 0 ? t.name() + "[" + t.element() + "]" : t.name();
  }

  private Diagnostic error(Span span, String message) {
    return Diagnostic.error(model.ast().source(), span, message);
  }

  /** A distribution's arguments that do not fit what it draws: a fault of the model, found by a first run. */
  private static final class ShapeException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient Diagnostic diagnostic;

    ShapeException(Diagnostic diagnostic) {
      super(diagnostic.headline());
      this.diagnostic = diagnostic;
    }
  }

  /**
   * Shapes do not depend on the values drawn: one run with the data the model was checked with
   * finds arguments of the wrong length before any simulation is asked for. Values a distribution
   * cannot take are left to the simulations (these draws are not theirs).
   */
  private void checkShapes() throws CompileException {
    try {
      run(model.data(), new SplittableRandom(0));
    } catch (ShapeException e) {
      throw new CompileException(List.of(e.diagnostic));
    } catch (SimulationException | IllegalArgumentException e) {
      // values, not shapes: each simulation reports its own
    }
  }

  // ---- the model's structure ------------------------------------------------------------------

  /** Names of the data that some sampling statement draws (whole or an element), by syntax. */
  private static Set<String> drawnDataNames(Ast.Model ast) {
    Set<String> data = new HashSet<>();
    for (Ast.Statement s : ast.statements()) {
      if (s instanceof DataDecl d) {
        data.add(d.name().text());
      }
    }
    Set<String> drawn = new LinkedHashSet<>();
    for (Ast.Statement s : ast.statements()) {
      if (s instanceof Contribution c && c.value() instanceof Call call && call.sampling()) {
        String name = targetName(call.args().get(0));
        if (name != null && data.contains(name)) {
          drawn.add(name);
        }
      }
    }
    return drawn;
  }

  /** {@code x} or {@code x[3]}: the name; anything else: null. */
  private static String targetName(Expr e) {
    if (e instanceof Ident id) {
      return id.name();
    }
    if (e instanceof Index ix && ix.target() instanceof Ident id && ix.index() instanceof Num n && n.isIntegerLiteral()) {
      return id.name();
    }
    return null;
  }

  /** A data declaration's dimensions from literal sizes and the sizes in {@code values}; null if one is missing. */
  private static int[] declaredDims(DataDecl d, Map<String, DataSet.Value> values) {
    int[] dims = new int[d.dims().size()];
    for (int i = 0; i < dims.length; i++) {
      Expr e = d.dims().get(i);
      if (e instanceof Num n) {
        dims[i] = (int) n.value();
      } else if (e instanceof Ident id && values.get(id.name()) != null && values.get(id.name()).dims().length == 0) {
        dims[i] = (int) values.get(id.name()).elements()[0];
      } else {
        return null;
      }
    }
    return dims;
  }

  private static int count(int[] dims) {
    int n = 1;
    for (int d : dims) {
      n *= d;
    }
    return n;
  }

  /** Finds the sampling statements, what they draw and in which order, and everything that cannot be simulated. */
  private static final class Analysis {
    final CheckedModel model;
    final SourceFile source;
    final List<Diagnostic> diagnostics = new ArrayList<>();
    final Map<String, CheckedModel.Param> params = new LinkedHashMap<>();
    final Map<String, DataDecl> dataDecls = new LinkedHashMap<>();
    final Map<String, LetDecl> lets = new HashMap<>();
    final List<Step> steps = new ArrayList<>();
    final List<CheckedModel.Param> uniform = new ArrayList<>();
    /** The sampling statement that draws each element of each parameter and drawn data value (null: none). */
    final Map<String, Contribution[]> drawnBy = new LinkedHashMap<>();
    /** Data integers that give sizes or indices: the model's shape and index checks rest on their values. */
    final Map<String, Span> structural = new HashMap<>();

    Analysis(CheckedModel model) {
      this.model = model;
      this.source = model.ast().source();
      model.params().forEach(p -> params.put(p.name(), p));
      for (Ast.Statement s : model.ast().statements()) {
        if (s instanceof DataDecl d) {
          dataDecls.put(d.name().text(), d);
          d.dims().forEach(e -> structuralNames(e, e.span()));
        } else if (s instanceof LetDecl l) {
          lets.put(l.name().text(), l);
        } else if (s instanceof Ast.ParamDecl p && p.size() != null) {
          structuralNames(p.size(), p.size().span());
        }
      }
      for (Ast.Statement s : model.ast().statements()) {
        forEachExpr(s, this::indexNames);
      }
    }

    Set<String> drawnData() {
      Set<String> drawn = new LinkedHashSet<>();
      for (String name : dataDecls.keySet()) {
        if (drawnBy.containsKey(name)) {
          drawn.add(name);
        }
      }
      return drawn;
    }

    void error(Span span, String message) {
      diagnostics.add(Diagnostic.error(source, span, message));
    }

    private void structuralNames(Expr e, Span where) {
      if (e instanceof Ident id) {
        structural.putIfAbsent(id.name(), where);
      }
    }

    /** Data named inside a computed index ({@code theta[group - 1]}). */
    private void indexNames(Expr e) {
      if (e instanceof Index ix && !(ix.index() instanceof Num)) {
        reads(ix.index(), r -> structural.putIfAbsent(r.name(), ix.index().span()));
      }
    }

    void run() {
      List<Contribution> sampling = new ArrayList<>();
      for (Ast.Statement s : model.ast().statements()) {
        if (s instanceof Ast.Loop loop) {
          // drawing a series forward would run the states iteration by iteration, each draw feeding the next
          error(loop.index().span(), "a 'for' loop cannot be simulated: its '~' statements would draw a series through"
              + " its states one iteration at a time, which simulation does not do");
        } else if (s instanceof Ast.StateDecl st) {
          error(st.name().span(), "a 'state' cannot be simulated (it belongs to a 'for' loop)");
        }
        if (s instanceof Contribution c) {
          if (c.kind() == Ast.ContributionKind.POTENTIAL) {
            error(c.span(), "a 'potential' statement cannot be simulated: only '~' statements say how to draw values");
          } else if (!(c.value() instanceof Call call && call.sampling())) {
            error(c.span(), "a 'logp +=' statement cannot be simulated: write the density as a '~' statement "
                + "(y ~ normal(mu, sigma);)");
          } else if (target(c, call) != null) {
            sampling.add(c);
          }
        }
      }
      for (CheckedModel.Param p : params.values()) {
        Contribution[] by = drawnBy.get(p.name());
        if (p.hasComputedBounds() && by == null) {
          // a flat prior between bounds that vary: drawing it needs the bounds' values first, which no statement orders
          Ast.Expr bound = Double.isNaN(p.lower()) ? p.decl().lower() : p.decl().upper();
          error(bound.span(), "a parameter with a bound computed from other values needs a prior statement to be"
              + " simulated: '" + p.name() + "' is drawn from its prior truncated to the bounds its '~' statement sees");
        } else if (p.ordered()) {
          // its prior is the density restricted to ordered values: drawing it needs the joint, not one element at a time
          error(p.decl().transform().span(), "an 'ordered' parameter cannot be simulated: '" + p.name()
              + "' is drawn from its prior restricted to increasing values, which its statements do not say how to draw");
        } else if (by == null && Double.isFinite(p.lower()) && Double.isFinite(p.upper())) {
          uniform.add(p);
        } else if (by == null) {
          error(p.decl().name().span(), "parameter '" + p.name() + "' has no prior statement ('" + p.name()
              + " ~ ...;'): simulation draws parameters from their priors");
        } else {
          for (int i = 0; i < by.length; i++) {
            if (by[i] == null) {
              error(p.decl().name().span(), "element " + p.name() + "[" + i + "] of parameter '" + p.name()
                  + "' has no prior statement: simulation draws parameters from their priors");
              break;
            }
          }
        }
      }
      Map<String, boolean[]> done = new HashMap<>();
      uniform.forEach(p -> done.put(p.name(), filled(p.elementCount())));
      Set<String> defined = new HashSet<>();
      for (Contribution c : sampling) {
        Call call = (Call) c.value();
        Target t = target(c, call);
        for (Expr arg : call.args().subList(1, call.args().size())) {
          reads(arg, r -> checkRead(r, c, done));
        }
        CheckedModel.Param bounded = t == null ? null : params.get(t.name());
        if (bounded != null && bounded.hasComputedBounds()) {
          // its bounds are evaluated when it is drawn: what they read must be drawn before
          for (Expr bound : computedBounds(bounded)) {
            reads(bound, r -> checkRead(r, c, done));
          }
        }
        List<LetDecl> needed = new ArrayList<>();
        call.args().subList(1, call.args().size()).forEach(arg -> letsNeeded(arg, defined, needed));
        Family family = Family.bySymbol(call.distribution());
        if (family != null) {
          steps.add(new Step(c, call, t, family, needed));
        }
        boolean[] elements = done.computeIfAbsent(t.name(), n -> new boolean[drawnBy.get(n).length]);
        if (t.element() >= 0) {
          elements[t.element()] = true;
        } else {
          Arrays.fill(elements, true);
        }
      }
    }

    /** A parameter's bounds that are expressions of other values. */
    private static List<Expr> computedBounds(CheckedModel.Param p) {
      List<Expr> out = new ArrayList<>();
      if (Double.isNaN(p.lower())) {
        out.add(p.decl().lower());
      }
      if (Double.isNaN(p.upper())) {
        out.add(p.decl().upper());
      }
      return out;
    }

    private static boolean[] filled(int n) {
      boolean[] b = new boolean[n];
      Arrays.fill(b, true);
      return b;
    }

    /** A name read by a distribution's arguments: {@code via} is the {@code let} it is read through (null: directly). */
    record Read(String name, int element, Span span, String via) {}

    /** Every parameter or data value an expression reads, through {@code let}s. */
    void reads(Expr e, java.util.function.Consumer<Read> out) {
      reads(e, null, null, out, new HashSet<>());
    }

    private void reads(Expr e, String via, Span viaSpan, java.util.function.Consumer<Read> out, Set<String> seen) {
      if (e instanceof Index ix && ix.target() instanceof Ident id && ix.index() instanceof Num n && n.isIntegerLiteral()
          && (params.containsKey(id.name()) || dataDecls.containsKey(id.name()))) {
        out.accept(new Read(id.name(), (int) n.value(), viaSpan != null ? viaSpan : ix.span(), via));
        return;
      }
      if (e instanceof Ident id) {
        if (params.containsKey(id.name()) || dataDecls.containsKey(id.name())) {
          out.accept(new Read(id.name(), -1, viaSpan != null ? viaSpan : id.span(), via));
        } else if (lets.containsKey(id.name()) && seen.add(id.name())) {
          // a read through a let is reported at the let's name, where the statement reads it
          reads(lets.get(id.name()).value(), via != null ? via : id.name(), viaSpan != null ? viaSpan : id.span(),
              out, seen);
        }
        return;
      }
      children(e).forEach(c -> reads(c, via, viaSpan, out, seen));
    }

    /** The {@code let}s an expression needs that no earlier statement evaluated, each after those it needs. */
    private void letsNeeded(Expr e, Set<String> defined, List<LetDecl> out) {
      if (e instanceof Ident id && lets.containsKey(id.name())) {
        if (defined.add(id.name())) {
          LetDecl let = lets.get(id.name());
          letsNeeded(let.value(), defined, out);
          out.add(let);
        }
        return;
      }
      children(e).forEach(c -> letsNeeded(c, defined, out));
    }

    private void checkRead(Read r, Contribution at, Map<String, boolean[]> done) {
      Contribution[] by = drawnBy.get(r.name());
      if (by == null) {
        return; // data given, or a parameter without a prior (reported at its declaration)
      }
      if (r.element() >= by.length) {
        return; // the checker reports an index beyond a vector
      }
      boolean[] elements = done.get(r.name());
      boolean ready = elements != null
          && (r.element() >= 0 ? elements[r.element()] : allTrue(elements));
      if (ready) {
        return;
      }
      int missing = r.element() >= 0 ? r.element() : firstFalse(elements);
      Contribution later = by[missing];
      String what = (params.containsKey(r.name()) ? "parameter '" : "data '") + r.name() + "'";
      String prefix = r.via() != null ? "'" + r.via() + "' reads " + what : what + " is read";
      error(r.span(), prefix + " before it is drawn" + (later == null ? "" : " (by the '~' statement at "
          + later.span() + ")") + ": simulation runs the '~' statements in source order");
    }

    private static boolean allTrue(boolean[] b) {
      return firstFalse(b) < 0;
    }

    private static int firstFalse(boolean[] b) {
      if (b == null) {
        return 0;
      }
      for (int i = 0; i < b.length; i++) {
        if (!b[i]) {
          return i;
        }
      }
      return -1;
    }

    /** What a sampling statement draws, recorded in {@link #drawnBy}; null (and a diagnostic) if it cannot. */
    private final Map<Contribution, Target> targets = new HashMap<>();

    Target target(Contribution c, Call call) {
      if (targets.containsKey(c)) {
        return targets.get(c);
      }
      Target t = findTarget(c, call);
      targets.put(c, t);
      return t;
    }

    private Target findTarget(Contribution c, Call call) {
      Expr e = call.args().get(0);
      String name = targetName(e);
      if (name == null || !(params.containsKey(name) || dataDecls.containsKey(name))) {
        error(e.span(), "'" + text(e) + "' is neither a parameter nor data: simulation draws only a parameter or "
            + "data value (or one element, 'x[0]') with '~'");
        return null;
      }
      boolean parameter = params.containsKey(name);
      int element = e instanceof Index ix ? (int) ((Num) ix.index()).value() : -1;
      int size = parameter ? params.get(name).elementCount()
          : model.dataLayout().variables().stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow()
              .elementCount();
      if (!record(c, e, name, element, size, parameter)) {
        return null;
      }
      Family family = Family.bySymbol(call.distribution());
      if (family == null) {
        error(call.nameSpan(), "distribution '" + call.distribution() + "' has no random generator");
        return null;
      }
      if (parameter && family.isDiscrete()) {
        error(call.nameSpan(), "parameter '" + name + "' is continuous, but " + family.symbol()
            + " draws integers: simulation cannot draw it");
        return null;
      }
      if (!parameter) {
        DataDecl d = dataDecls.get(name);
        if (d.dims().size() > 1) {
          error(e.span(), "data '" + name + "' is a matrix: simulation draws numbers and vectors");
          return null;
        }
        if (d.integer() && !family.isDiscrete()) {
          error(call.nameSpan(), "data int '" + name + "' cannot be drawn from " + family.symbol()
              + ", which draws real numbers");
          return null;
        }
        if (structural.containsKey(name)) {
          error(e.span(), "data '" + name + "' gives a size or an index (at " + structural.get(name)
              + "): it must come from the data, not be drawn");
          return null;
        }
      }
      return new Target(name, element, parameter);
    }

    /**
     * Records which elements a statement draws (so that a statement refused for another reason
     * does not also leave its value "without a prior"); false if one is drawn already.
     */
    private boolean record(Contribution c, Expr e, String name, int element, int size, boolean parameter) {
      Contribution[] by = drawnBy.computeIfAbsent(name, n -> new Contribution[size]);
      if (element >= size) {
        return false; // the checker reports an index beyond a vector
      }
      for (int i = 0; i < size; i++) {
        if ((element < 0 || element == i) && by[i] != null) {
          String what = parameter ? "parameter '" + name + "'" : "data '" + name + "'";
          error(e.span(), (element < 0 && size > 1 ? "an element of " : "") + what
              + (element >= 0 ? " element " + element : "") + " is already drawn by the '~' statement at "
              + by[i].span() + ": a value has one sampling statement");
          return false;
        }
      }
      for (int i = 0; i < size; i++) {
        if (element < 0 || element == i) {
          by[i] = c;
        }
      }
      return true;
    }

    private String text(Expr e) {
      return source.text().substring(e.span().start(), e.span().end());
    }
  }

  /** The direct subexpressions of an expression. */
  static List<Expr> children(Expr e) {
    if (e instanceof Ast.Unary u) {
      return List.of(u.operand());
    } else if (e instanceof Ast.Binary b) {
      return List.of(b.left(), b.right());
    } else if (e instanceof Ast.Conditional c) {
      return List.of(c.cond(), c.then(), c.otherwise());
    } else if (e instanceof Call c) {
      return c.args();
    } else if (e instanceof Index ix) {
      return List.of(ix.target(), ix.index());
    } else if (e instanceof Ast.VectorLit v) {
      return v.elements();
    }
    return List.of();
  }

  /**
   * Every expression node of a {@code let} or a contribution, outermost first (function bodies
   * see only their arguments).
   */
  static void forEachExpr(Ast.Statement s, java.util.function.Consumer<Expr> out) {
    List<Expr> roots = new ArrayList<>();
    if (s instanceof LetDecl l) {
      roots.add(l.value());
    } else if (s instanceof Contribution c) {
      roots.add(c.value());
    }
    for (Expr r : roots) {
      walk(r, out);
    }
  }

  private static void walk(Expr e, java.util.function.Consumer<Expr> out) {
    out.accept(e);
    children(e).forEach(c -> walk(c, out));
  }
}
