package io.flowc.compiler.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Random well-formed models over the whole model language (DESIGN.md section 3), for tests that
 * compare the compiler's stages with each other: scalar and vector parameters (lengths 1 to 5),
 * {@code let}s (real and boolean, scalar and vector, using earlier ones), functions of scalar,
 * vector and boolean arguments (calling earlier functions; some are generic and are called with
 * scalars and with vectors), several {@code potential} and {@code logp +=} terms, every operator,
 * {@code ?:} on scalars and elementwise, indexing, vector literals, broadcasting, every built-in
 * function and reduction, the patterns the simplifier rewrites (stability rewrites and algebraic
 * identities), comments, and the number formats of the language. Expressions are printed with
 * as few parentheses as the grammar's precedences allow (and now and then a redundant pair).
 *
 * <p>Every model is tame at any point whose elements lie in [-{@link #RANGE}, {@link #RANGE}]:
 * the generator keeps an upper bound of the magnitude of every expression at such points and
 * squashes arguments (with {@code tanh}, {@code sin}, {@code atan}, {@code erf} or a small factor)
 * before an operation whose result could grow past {@link #LIMIT}; domain-restricted functions
 * only see arguments inside their domain and away from their singularities
 * ({@code log(1.5 + square(x))}, {@code asin(0.9 * tanh(x))}, {@code x / (2 + sin(y))},
 * {@code pow(1 + exp(x), y)}, {@code lgamma(0.5 + square(x))}, ...), and exponentials only see
 * bounded arguments. So values and derivatives are finite and moderate, and the only
 * non-differentiable points are the kinks of {@code abs}, {@code min}, {@code max} and the jumps
 * of {@code ?:}, which random points miss with probability one. Two sides of a comparison that
 * could be equal as functions ({@code x} and {@code logit(sigmoid(x))}) are kept apart by an odd
 * offset, so that rounding (which the simplifier's rewrites change) never decides a branch, and
 * the argument of {@code norm}, unless a parameter, gets one too, so that it is never a vector
 * that is zero for every z ({@code [y] - y}), where norm is not differentiable.
 *
 * <p>A model is a function of a seed ({@link #generate}), so any test can rebuild the model it
 * failed on; {@link #models()} is the jqwik view of the same thing.
 */
public final class RandomModels {
  private RandomModels() {}

  /** Generated models are tame at points with every element in [-RANGE, RANGE]. */
  public static final double RANGE = 2;

  /** The bound on the magnitude of any generated value (at points in range) the generator aims at. */
  static final double LIMIT = 25;

  /** A generated model: its text, its number of parameter elements, and the seed that made it. */
  public record RandomModel(long seed, String text, int dimension) {
    @Override
    public String toString() {
      return "random model (seed " + seed + ", dimension " + dimension + "):\n" + text;
    }
  }

  /** Random models, one per seed. */
  public static Arbitrary<RandomModel> models() {
    return Arbitraries.longs().map(RandomModels::generate);
  }

  /** The texts of {@link #models()}. */
  public static Arbitrary<String> texts() {
    return models().map(RandomModel::text);
  }

  /** The model of a seed (the same model for the same seed, always). */
  public static RandomModel generate(long seed) {
    Generator g = new Generator(new Random(seed));
    String text = g.model();
    return new RandomModel(seed, text, g.dimension);
  }

  /** A point at which generated models are tame: elements uniform in [-RANGE, RANGE]. */
  public static double[] point(Random random, int dimension) {
    double[] z = new double[dimension];
    for (int i = 0; i < dimension; i++) {
      z[i] = RANGE * (2 * random.nextDouble() - 1);
    }
    return z;
  }

  // ---- precedences, loosest to tightest (grammar/Model.g4) ------------------------------------

  static final int COND = 1;
  static final int OR = 2;
  static final int AND = 3;
  static final int EQUALITY = 4;
  static final int COMPARE = 5;
  static final int ADD = 6;
  static final int MUL = 7;
  static final int UNARY = 8;
  static final int POW = 9;
  static final int INDEX = 10;
  static final int ATOM = 11;

  /** Elementwise built-ins of one argument. */
  static final List<String> UNARY_BUILTINS = List.of(
      "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "exp", "expm1", "log", "log1p",
      "sqrt", "square", "abs", "sigmoid", "logit", "softplus", "erf", "erfc", "lgamma");

  /** Number literals in the language's formats. */
  private static final List<String> NUMBERS = List.of(
      "1", "2", "3", "4", "10", "0.5", ".5", "5e-1", "1.5", "2.5", "0.25", "0.1", "1e-1", "0.75", "3.", "1.2",
      "0.3", "2e0", "1.5E0", "0.05", "0.8", "7", "0.01", "2.25");

  /**
   * Offsets that separate two sides that could be equal as functions (x and logit(sigmoid(x)),
   * or y - [y] and 0): numbers no other literal makes, so a comparison is never decided by
   * rounding and a norm never sees an exactly zero vector.
   */
  private static final List<String> OFFSETS = List.of("0.37", "0.613", "1.29", "0.0731", "2.17");

  /** Positive factors for scaling an expression down, largest first. */
  private static final String[] FACTORS = {
    "2", "1.5", "1", "0.9", "0.5", "0.25", "0.2", "0.1", "0.05", "0.02", "0.01", "0.005", "0.002", "0.001", "1e-4", "1e-5"
  };

  private static final List<String> PARAM_NAMES = List.of("z", "x", "y", "w", "v", "theta", "mu", "s", "b_2", "alpha", "Q");
  private static final List<String> ARG_NAMES = List.of("a", "b", "c", "u", "q", "k");

  /**
   * A generated expression: its text, the precedence of its outermost operator, its length (0 for
   * a scalar), whether it is boolean, an upper bound of its magnitude, and which names it depends
   * on (bit i: parameter i at top level, argument i inside a function).
   */
  private record E(String text, int prec, int length, boolean bool, double bound, long refs) {}

  /** A name in scope: a parameter, a let or a function argument. */
  private record Var(String name, int length, boolean bool, double bound, long refs, boolean param) {
    Var(String name, int length, boolean bool, double bound, long refs) {
      this(name, length, bool, bound, refs, false);
    }
  }

  /** A function: its arguments (as declared for a fixed one; all real scalars for a generic one) and its result. */
  private record Fn(String name, List<Var> args, boolean generic, int length, boolean bool, double bound, long refs) {}

  /**
   * Where an expression is made: the names in scope, the callable functions, and whether it is
   * the body of a generic function (elementwise constructs only: it may be called with vectors).
   */
  private record Ctx(List<Var> vars, List<Fn> fns, boolean generic, boolean inFunction) {}

  private static final class Generator {
    /** The bound assumed for function arguments; call sites squash their arguments to it. */
    static final double ARG_LIMIT = 3;

    final Random rnd;
    int dimension;

    Generator(Random rnd) {
      this.rnd = rnd;
    }

    // ---- the model ----------------------------------------------------------------------------

    String model() {
      List<String> names = new ArrayList<>(PARAM_NAMES);
      Collections.shuffle(names, rnd);
      int nParams = 1 + rnd.nextInt(4);
      List<String> paramNames = names.subList(0, nParams);
      int[] paramLengths = new int[nParams];
      for (int i = 0; i < nParams; i++) {
        paramLengths[i] = rnd.nextInt(5) < 2 ? 0 : 1 + rnd.nextInt(5);
        dimension += Math.max(1, paramLengths[i]);
      }

      List<Fn> fns = new ArrayList<>();
      List<String> fnTexts = new ArrayList<>();
      int nFns = rnd.nextInt(5) == 0 ? 0 : 1 + rnd.nextInt(3);
      for (int i = 0; i < nFns; i++) {
        fnTexts.add(function(i, fns, paramNames, paramLengths));
      }

      List<String> statements = new ArrayList<>();
      List<Var> scope = new ArrayList<>();
      int nextParam = 0;
      int letsLeft = rnd.nextInt(6);
      int contributionsLeft = 1 + rnd.nextInt(4);
      int letIndex = 0;
      long used = 0;
      Ctx top = new Ctx(scope, fns, false, false);
      while (nextParam < nParams || letsLeft > 0 || contributionsLeft > 0) {
        int paramWeight = nextParam < nParams ? (nextParam == 0 ? 1000 : 4) : 0;
        int letWeight = letsLeft > 0 ? 3 : 0;
        int contributionWeight = contributionsLeft > 0 ? 2 : 0;
        int r = rnd.nextInt(paramWeight + letWeight + contributionWeight);
        if (r < paramWeight) {
          int len = paramLengths[nextParam];
          String name = paramNames.get(nextParam);
          // bounded parameters: their values (not z) are what expressions see
          double bound = RANGE;
          String constraint = "";
          switch (rnd.nextInt(8)) {
            case 0 -> {
              constraint = " > " + pick(List.of("0", "-1", "0.5"));
              bound = 1 + Math.exp(RANGE);
            }
            case 1 -> {
              constraint = " < " + pick(List.of("0", "2", "-0.5"));
              bound = 2 + Math.exp(RANGE);
            }
            case 2 -> {
              constraint = " in (" + pick(List.of("0, 1", "-1, 3", "-2.5, -0.5")) + ")";
              bound = 3;
            }
            default -> { }
          }
          statements.add("param " + name + (len == 0 ? "" : "[" + len + "]") + constraint + ";");
          scope.add(new Var(name, len, false, bound, 1L << nextParam, true));
          nextParam++;
        } else if (r < paramWeight + letWeight) {
          String name = "t" + letIndex++;
          int depth = 1 + rnd.nextInt(3);
          E value;
          if (rnd.nextInt(6) == 0) {
            value = bool(depth, rnd.nextBoolean() ? 0 : vectorLength(top), top);
          } else {
            value = tame(real(depth, rnd.nextInt(5) < 3 ? 0 : vectorLength(top), top), LIMIT);
          }
          statements.add("let " + name + " = " + value.text + ";");
          scope.add(new Var(name, value.length, value.bool, value.bound, value.refs));
          letsLeft--;
        } else {
          E value = real(1 + rnd.nextInt(4), 0, top);
          used |= value.refs;
          statements.add(contribution(value));
          contributionsLeft--;
        }
      }
      // every parameter matters
      for (int i = 0; i < nParams; i++) {
        if ((used & (1L << i)) == 0) {
          String p = paramNames.get(i);
          String term = paramLengths[i] == 0 ? "square(" + p + ")" : "sum(square(" + p + "))";
          statements.add(rnd.nextBoolean() ? "potential 0.5 * " + term + ";" : "logp += -0.5 * " + term + ";");
        }
      }
      // functions are visible everywhere: place them anywhere
      for (String fn : fnTexts) {
        statements.add(rnd.nextInt(statements.size() + 1), fn);
      }
      StringBuilder out = new StringBuilder();
      if (rnd.nextInt(4) == 0) {
        out.append("// a generated model\n");
      }
      out.append("model random").append(rnd.nextInt(1000)).append(" {\n");
      for (String s : statements) {
        int c = rnd.nextInt(30);
        if (c == 0) {
          out.append("  // a comment\n");
        } else if (c == 1) {
          out.append("  /* a block\n     comment */\n");
        }
        out.append("  ").append(s).append('\n');
      }
      out.append("}\n");
      return out.toString();
    }

    private String contribution(E value) {
      if (rnd.nextBoolean()) {
        return "potential " + value.text + ";";
      }
      return "logp += " + value.text + ";";
    }

    /** Declares function number {@code index} (it may call the functions before it) and returns its text. */
    private String function(int index, List<Fn> fns, List<String> paramNames, int[] paramLengths) {
      String name = (index % 2 == 0 ? "f" : "g") + index;
      boolean generic = rnd.nextInt(3) == 0;
      int nArgs = 1 + rnd.nextInt(3);
      List<String> argNames = new ArrayList<>(ARG_NAMES);
      Collections.shuffle(argNames, rnd);
      List<Var> args = new ArrayList<>();
      for (int i = 0; i < nArgs; i++) {
        // now and then an argument takes a parameter's name: inside the function it is the argument
        String argName = argNames.get(i);
        if (rnd.nextInt(5) == 0) {
          String p = paramNames.get(rnd.nextInt(paramNames.size()));
          if (args.stream().noneMatch(a -> a.name.equals(p))) {
            argName = p;
          }
        }
        int len = 0;
        boolean bool = false;
        if (!generic) {
          bool = rnd.nextInt(8) == 0;
          if (rnd.nextBoolean()) {
            len = rnd.nextInt(3) > 0 ? paramLengths[rnd.nextInt(paramLengths.length)] : 1 + rnd.nextInt(5);
          }
        }
        args.add(new Var(argName, len, bool, bool ? 0 : ARG_LIMIT, 1L << i));
      }
      List<Fn> callable = generic ? fns.stream().filter(f -> f.generic).toList() : List.copyOf(fns);
      Ctx ctx = new Ctx(args, callable, generic, true);
      int depth = 1 + rnd.nextInt(3);
      E body;
      if (!generic && rnd.nextInt(8) == 0) {
        body = bool(depth, rnd.nextInt(3) == 0 ? vectorLength(ctx) : 0, ctx);
      } else {
        body = tame(real(depth, !generic && rnd.nextInt(4) == 0 ? vectorLength(ctx) : 0, ctx), LIMIT);
      }
      fns.add(new Fn(name, args, generic, body.length, body.bool, body.bound, body.refs));
      return "fn " + name + "(" + String.join(", ", args.stream().map(Var::name).toList()) + ") = " + body.text + ";";
    }

    // ---- helpers ------------------------------------------------------------------------------

    private <T> T pick(List<T> list) {
      return list.get(rnd.nextInt(list.size()));
    }

    /** A vector length: mostly one that a name in scope has, so that vector expressions use them. */
    private int vectorLength(Ctx c) {
      List<Integer> lengths = c.vars.stream().filter(v -> v.length > 0).map(v -> v.length).toList();
      if (!lengths.isEmpty() && rnd.nextInt(5) > 0) {
        return pick(lengths);
      }
      return 1 + rnd.nextInt(5);
    }

    /** Lengths of the operands of an elementwise operation of the given length: each 0 or it, one at least it. */
    private int[] operandLengths(int length, int count) {
      int[] out = new int[count];
      if (length == 0) {
        return out;
      }
      boolean any = false;
      for (int i = 0; i < count; i++) {
        out[i] = rnd.nextBoolean() ? length : 0;
        any |= out[i] != 0;
      }
      if (!any) {
        out[rnd.nextInt(count)] = length;
      }
      return out;
    }

    /** The text of an operand that needs precedence at least {@code min}, with a redundant pair of parentheses now and then. */
    private String wrap(E e, int min) {
      if (e.prec < min || (e.prec < ATOM && rnd.nextInt(30) == 0)) {
        return "(" + e.text + ")";
      }
      return e.text;
    }

    private static E lit(String text) {
      return new E(text, ATOM, 0, false, Math.abs(Double.parseDouble(text)), 0);
    }

    private E literal() {
      String text = pick(NUMBERS);
      E e = lit(text);
      return rnd.nextInt(4) == 0 ? neg(e) : e;
    }

    /** The largest of {@link #FACTORS} at most {@code x}. */
    private static String factorAtMost(double x) {
      for (String f : FACTORS) {
        if (Double.parseDouble(f) <= x) {
          return f;
        }
      }
      return "1e-6";
    }

    private static int broadcast(E... args) {
      int length = 0;
      for (E a : args) {
        length = Math.max(length, a.length);
      }
      return length;
    }

    private static long refs(E... args) {
      long r = 0;
      for (E a : args) {
        r |= a.refs;
      }
      return r;
    }

    /** A call of a built-in or a function with elementwise shape rules. */
    private E call(String name, double bound, E... args) {
      List<String> texts = new ArrayList<>();
      for (E a : args) {
        texts.add(a.text);
      }
      return new E(name + "(" + String.join(", ", texts) + ")", ATOM, broadcast(args), false, bound, refs(args));
    }

    /** A call whose result is a scalar (reductions). */
    private E scalarCall(String name, double bound, E... args) {
      E e = call(name, bound, args);
      return new E(e.text, ATOM, 0, false, bound, e.refs);
    }

    /** A left-associative binary operator. */
    private E binary(String op, int prec, E l, E r, double bound, boolean bool) {
      return new E(wrap(l, prec) + " " + op + " " + wrap(r, prec + 1), prec, broadcast(l, r), bool, bound, refs(l, r));
    }

    private E add(E l, E r) {
      return binary("+", ADD, l, r, l.bound + r.bound, false);
    }

    private E sub(E l, E r) {
      return binary("-", ADD, l, r, l.bound + r.bound, false);
    }

    private E mul(E l, E r) {
      return binary("*", MUL, l, r, l.bound * r.bound, false);
    }

    /** {@code l ^ r} (right-associative, tighter than unary minus). */
    private E power(E l, E r, double bound) {
      return new E(wrap(l, INDEX) + "^" + wrap(r, POW), POW, broadcast(l, r), false, bound, refs(l, r));
    }

    private E neg(E e) {
      return new E("-" + wrap(e, UNARY), UNARY, e.length, false, e.bound, e.refs);
    }

    private E unaryPlus(E e) {
      return new E("+" + wrap(e, UNARY), UNARY, e.length, false, e.bound, e.refs);
    }

    private E square(E e) {
      return call("square", e.bound * e.bound, e);
    }

    private E index(E target, int i) {
      String index = rnd.nextInt(40) == 0 ? "0" + i : String.valueOf(i);
      return new E(wrap(target, INDEX) + "[" + index + "]", INDEX, 0, target.bool, target.bound, target.refs);
    }

    private E vectorLiteral(int length, IntFunction<E> element) {
      List<String> texts = new ArrayList<>();
      double bound = 0;
      long refs = 0;
      for (int i = 0; i < length; i++) {
        E e = element.apply(i);
        texts.add(e.text);
        bound = Math.max(bound, e.bound);
        refs |= e.refs;
      }
      return new E("[" + String.join(", ", texts) + "]", ATOM, length, false, bound, refs);
    }

    /** The expression itself if its bound is at most {@code limit}, else a squashed form of it. */
    private E tame(E e, double limit) {
      if (e.bound <= limit) {
        return e;
      }
      int r = rnd.nextInt(limit >= 1.6 ? 6 : 3);
      return switch (r) {
        case 0 -> limit >= 1 ? call("tanh", 1, e) : mul(lit(factorAtMost(limit)), call("tanh", 1, e));
        case 1 -> limit >= 1 ? call("sin", 1, e) : mul(lit(factorAtMost(limit)), call("sin", 1, e));
        case 2 -> {
          String f = factorAtMost(limit / e.bound);
          yield mul(lit(f), e);
        }
        case 3 -> call("atan", Math.PI / 2, e);
        case 4 -> call("erf", 1, e);
        default -> call("tanh", 1, e);
      };
    }

    /** An expression with values in [lo, hi], lo > 0, hi at most about {@code maxHi} (at least 2.5). */
    private record Positive(E e, double lo, double hi) {}

    private Positive positive(int depth, int length, Ctx c, double maxHi) {
      int r = rnd.nextInt(9);
      E a = real(depth, length, c);
      switch (r) {
        case 0, 1 -> {
          String constant = pick(List.of("0.5", "1", "1.5", "2"));
          double k = Double.parseDouble(constant);
          E x = tame(a, Math.sqrt(maxHi - k));
          E sq = rnd.nextInt(4) == 0 ? power(x, lit("2"), x.bound * x.bound) : square(x);
          E sum = rnd.nextBoolean() ? add(lit(constant), sq) : add(sq, lit(constant));
          return new Positive(sum, k, k + x.bound * x.bound);
        }
        case 2 -> {
          String constant = pick(List.of("0.5", "1", "2"));
          double k = Double.parseDouble(constant);
          E x = tame(a, Math.log(maxHi - k));
          return new Positive(add(lit(constant), call("exp", Math.exp(x.bound), x)), k, k + Math.exp(x.bound));
        }
        case 3 -> {
          return new Positive(add(lit("2"), call("sin", 1, a)), 1, 3);
        }
        case 4 -> {
          return new Positive(add(lit("1.5"), call("cos", 1, a)), 0.5, 2.5);
        }
        case 5 -> {
          E x = tame(a, Math.min(3, acosh(maxHi)));
          return new Positive(call("cosh", Math.cosh(x.bound), x), 1, Math.cosh(x.bound));
        }
        case 6 -> {
          E x = tame(a, 1.5);
          return new Positive(call("exp", Math.exp(x.bound), x), Math.exp(-x.bound), Math.exp(x.bound));
        }
        case 7 -> {
          return new Positive(add(lit("1"), call("sigmoid", 1, a)), 1, 2);
        }
        default -> {
          E x = tame(a, maxHi - 1);
          return new Positive(add(lit("1"), call("abs", x.bound, x)), 1, 1 + x.bound);
        }
      }
    }

    /**
     * A log density over {@code m} elements (0: scalars), each argument either of length m or a
     * scalar broadcast against the others, kept inside the distribution's support: scales and
     * shapes are positive, a beta outcome lies in [0.1, 0.9], counts are literals.
     */
    private E distribution(int depth, int m, Ctx c) {
      int n = Math.max(1, m);
      IntSupplier length = () -> rnd.nextBoolean() ? m : 0;
      java.util.function.Supplier<E> small = () -> tame(real(depth - 1, length.getAsInt(), c), 2);
      java.util.function.Supplier<Positive> scale = () -> positive(depth - 1, length.getAsInt(), c, 3);
      switch (rnd.nextInt(10)) {
        case 0 -> {
          E y = tame(real(depth - 1, m, c), 2);
          Positive s = scale.get();
          double z = 4 / s.lo;
          return scalarCall("normal_lpdf", n * (0.5 * z * z + logBound(s) + 1), y, small.get(), s.e);
        }
        case 1 -> {
          E y = tame(real(depth - 1, m, c), 2);
          Positive nu = scale.get();
          Positive s = scale.get();
          double z = 4 / s.lo;
          double bound = 5 + logBound(nu) + logBound(s) + (nu.hi + 1) / 2 * Math.log1p(z * z / nu.lo);
          return scalarCall("student_t_lpdf", n * bound, y, nu.e, small.get(), s.e);
        }
        case 2 -> {
          E y = tame(real(depth - 1, m, c), 2);
          Positive s = scale.get();
          double z = 4 / s.lo;
          return scalarCall("cauchy_lpdf", n * (2 + logBound(s) + Math.log1p(z * z)), y, small.get(), s.e);
        }
        case 3 -> {
          Positive y = positive(depth - 1, m, c, 3);
          Positive rate = scale.get();
          return scalarCall("exponential_lpdf", n * (logBound(rate) + rate.hi * y.hi), y.e, rate.e);
        }
        case 4 -> {
          Positive y = positive(depth - 1, m, c, 3);
          Positive shape = scale.get();
          Positive rate = scale.get();
          double bound = shape.hi * logBound(rate) + 2 + (shape.hi + 1) * logBound(y) + rate.hi * y.hi;
          return scalarCall("gamma_lpdf", n * bound, y.e, shape.e, rate.e);
        }
        case 5 -> {
          E y = add(lit("0.1"), mul(lit("0.8"), call("sigmoid", 1, real(depth - 1, m, c))));
          Positive a = scale.get();
          Positive b = scale.get();
          double bound = 6 + (a.hi + b.hi + 2) * Math.log(10);
          return scalarCall("beta_lpdf", n * bound, y, a.e, b.e);
        }
        case 6 -> {
          Positive y = positive(depth - 1, m, c, 3);
          Positive s = scale.get();
          double z = (logBound(y) + 2) / s.lo;
          return scalarCall("lognormal_lpdf", n * (0.5 * z * z + logBound(s) + 1 + logBound(y)), y.e, small.get(), s.e);
        }
        case 7 -> {
          E outcome = counts(m, 1);
          E alpha = tame(real(depth - 1, length.getAsInt(), c), 3);
          return scalarCall("bernoulli_logit_lpmf", n * (2 * alpha.bound + 1), outcome, alpha);
        }
        case 8 -> {
          E outcome = counts(m, 5);
          E alpha = small.get();
          return scalarCall("poisson_log_lpmf", n * (10 + Math.exp(2) + 5), outcome, alpha);
        }
        default -> {
          E outcome = counts(m, 4);
          E trials = lit(String.valueOf(4 + rnd.nextInt(3)));
          E alpha = small.get();
          return scalarCall("binomial_logit_lpmf", n * (6 * (alpha.bound + 1) + 10), outcome, trials, alpha);
        }
      }
    }

    /** A bound of |log x| for x in the range of {@code p}. */
    private static double logBound(Positive p) {
      return Math.max(Math.abs(Math.log(p.lo)), Math.abs(Math.log(p.hi)));
    }

    /** Integer literals from 0 to {@code max}: a scalar for m = 0, else a vector literal. */
    private E counts(int m, int max) {
      if (m == 0) {
        return lit(String.valueOf(rnd.nextInt(max + 1)));
      }
      return vectorLiteral(m, i -> lit(String.valueOf(rnd.nextInt(max + 1))));
    }

    private static double acosh(double x) {
      return Math.log(x + Math.sqrt(x * x - 1));
    }

    // ---- real expressions ---------------------------------------------------------------------

    /** A real expression of the given length (0: scalar); in a generic function, length 0 and elementwise. */
    E real(int depth, int length, Ctx c) {
      if (depth <= 0) {
        return leaf(length, c);
      }
      boolean scalarOnly = length == 0 && !c.generic;
      while (true) {
        int r = rnd.nextInt(100);
        E e;
        if (r < 24) {
          e = unaryBuiltin(pick(UNARY_BUILTINS), depth, length, c);
        } else if (r < 32) {
          e = binaryBuiltin(depth, length, c);
        } else if (r < 54) {
          e = arithmetic(depth, length, c);
        } else if (r < 58) {
          E a = real(depth - 1, length, c);
          e = rnd.nextInt(3) == 0 ? unaryPlus(a) : neg(a);
        } else if (r < 64) {
          e = conditional(depth, length, c);
        } else if (r < 72) {
          e = scalarOnly ? reduction(depth, c) : null;
        } else if (r < 75) {
          e = scalarOnly ? indexedVector(depth, c) : null;
        } else if (r < 78) {
          e = length > 0 && !c.generic ? vectorLiteral(length, i -> real(rnd.nextInt(depth), 0, c)) : null;
        } else if (r < 85) {
          e = callFunction(depth, length, c);
        } else if (r < 90) {
          e = stable(depth, length, c);
        } else if (r < 94) {
          e = identity(depth, length, c);
        } else {
          e = leaf(length, c);
        }
        if (e != null) {
          return e;
        }
      }
    }

    /** An element of a vector expression. */
    private E indexedVector(int depth, Ctx c) {
      int m = vectorLength(c);
      return index(real(depth - 1, m, c), rnd.nextInt(m));
    }

    private E leaf(int length, Ctx c) {
      List<Var> same = c.vars.stream().filter(v -> !v.bool && v.length == length).toList();
      List<Var> vectors = c.vars.stream().filter(v -> !v.bool && v.length > 0).toList();
      int r = rnd.nextInt(10);
      if (length > 0) {
        if (r < 7 && !same.isEmpty()) {
          return ident(pick(same));
        }
        return vectorLiteral(length, i -> leaf(0, c));
      }
      if (r < 5 && !same.isEmpty()) {
        return ident(pick(same));
      }
      if (r < 8 && !vectors.isEmpty() && !c.generic) {
        Var v = pick(vectors);
        return index(ident(v), rnd.nextInt(v.length));
      }
      if (r == 8) {
        return rnd.nextBoolean() ? new E("pi", ATOM, 0, false, Math.PI, 0) : new E("e", ATOM, 0, false, Math.E, 0);
      }
      if (r == 9 || same.isEmpty()) {
        return literal();
      }
      return ident(pick(same));
    }

    private static E ident(Var v) {
      return new E(v.name, ATOM, v.length, v.bool, v.bound, v.refs);
    }

    /** An elementwise built-in of one argument, its argument kept inside the function's tame domain. */
    private E unaryBuiltin(String name, int depth, int length, Ctx c) {
      return switch (name) {
        case "sin", "cos", "tanh", "sigmoid", "erf" -> call(name, 1, real(depth - 1, length, c));
        case "erfc" -> call(name, 2, real(depth - 1, length, c));
        case "atan" -> call(name, Math.PI / 2, real(depth - 1, length, c));
        case "tan" -> {
          E a = tame(real(depth - 1, length, c), 1.2);
          yield call(name, Math.tan(a.bound), a);
        }
        case "asin", "acos" -> {
          E a = real(depth - 1, length, c);
          E inside = switch (rnd.nextInt(4)) {
            case 0 -> a.bound <= 0.9 ? a : mul(lit("0.9"), call("tanh", 1, a));
            case 1 -> mul(lit("0.9"), call("sin", 1, a));
            case 2 -> sub(mul(lit("1.8"), call("sigmoid", 1, a)), lit("0.9"));
            default -> mul(lit("0.9"), call("tanh", 1, a));
          };
          yield call(name, name.equals("asin") ? Math.PI / 2 : Math.PI, inside);
        }
        case "sinh", "cosh" -> {
          E a = tame(real(depth - 1, length, c), 3);
          yield call(name, Math.cosh(a.bound), a);
        }
        case "exp", "expm1" -> {
          E a = real(depth - 1, length, c);
          if (rnd.nextInt(3) == 0) {
            yield call(name, 1, neg(square(tame(a, 5))));
          }
          a = tame(a, 3);
          yield call(name, Math.exp(a.bound), a);
        }
        case "log" -> {
          if (rnd.nextInt(5) == 0) {
            E a = tame(real(depth - 1, length, c), 10);
            yield call(name, a.bound + 1, call("sigmoid", 1, a));
          }
          Positive p = positive(depth - 1, length, c, 50);
          yield call(name, Math.max(Math.abs(Math.log(p.lo)), Math.abs(Math.log(p.hi))), p.e);
        }
        case "log1p" -> {
          E a = real(depth - 1, length, c);
          yield switch (rnd.nextInt(5)) {
            case 0 -> {
              E x = tame(a, 5);
              yield call(name, Math.log1p(x.bound * x.bound), square(x));
            }
            case 1 -> {
              E x = tame(a, 10);
              yield call(name, x.bound + 1, call("exp", Math.exp(x.bound), x));
            }
            case 2 -> call(name, Math.abs(Math.log1p(-0.9)), mul(lit("0.9"), call("tanh", 1, a)));
            case 3 -> call(name, Math.log(2), call("sigmoid", 1, a));
            default -> {
              E x = tame(a, 0.5);
              yield call(name, Math.abs(Math.log1p(-x.bound)), x);
            }
          };
        }
        case "sqrt" -> {
          Positive p = positive(depth - 1, length, c, LIMIT * LIMIT);
          yield call(name, Math.sqrt(p.hi), p.e);
        }
        case "square" -> {
          E a = tame(real(depth - 1, length, c), 5);
          yield square(a);
        }
        case "abs" -> {
          E a = real(depth - 1, length, c);
          yield call(name, a.bound, a);
        }
        case "logit" -> {
          E a = real(depth - 1, length, c);
          yield switch (rnd.nextInt(4)) {
            case 0 -> call(name, 2.2, add(lit("0.1"), mul(lit("0.8"), call("sigmoid", 1, a))));
            case 1 -> call(name, 2.2, add(lit("0.5"), mul(lit("0.4"), call("tanh", 1, a))));
            case 2 -> call(name, 2.95, sub(lit("0.5"), mul(lit("0.45"), call("sin", 1, a))));
            default -> {
              E x = tame(a, 3);
              yield call(name, x.bound, call("sigmoid", 1, x));
            }
          };
        }
        case "softplus" -> {
          E a = tame(real(depth - 1, length, c), 20);
          yield call(name, a.bound + Math.log(2), a);
        }
        case "lgamma" -> {
          if (rnd.nextInt(6) == 0) {
            // negative arguments between the poles -1 and 0
            E a = real(depth - 1, length, c);
            yield call(name, 1.8, add(neg(lit("0.5")), mul(lit("0.3"), call("tanh", 1, a))));
          }
          Positive p = positive(depth - 1, length, c, 20);
          double bound = Math.max(0.13, Math.max(Math.abs(lgamma(p.lo)), Math.abs(lgamma(p.hi))));
          yield call(name, bound, p.e);
        }
        default -> throw new IllegalArgumentException(name);
      };
    }

    private static double lgamma(double x) {
      return io.flowc.runtime.MathFunctions.lgamma(x);
    }

    private E binaryBuiltin(int depth, int length, Ctx c) {
      int[] ls = operandLengths(length, 2);
      return switch (rnd.nextInt(6)) {
        case 5 -> {
          // |log sigmoid(t)| <= |t| + log 2, and log_mix lies between its terms shifted by that
          int[] three = operandLengths(length, 3);
          E t = real(depth - 1, three[0], c);
          E a = real(depth - 1, three[1], c);
          E b = real(depth - 1, three[2], c);
          yield call("log_mix", Math.max(a.bound, b.bound) + t.bound + 2 * Math.log(2), call("sigmoid", 1, t), a, b);
        }
        case 0 -> {
          // atan2 away from its branch cut (y = 0, x < 0) and from the origin
          Positive p = positive(depth - 1, ls[1], c, 10);
          E a = real(depth - 1, ls[0], c);
          yield rnd.nextBoolean() ? call("atan2", Math.PI, a, p.e) : call("atan2", Math.PI, p.e, a);
        }
        case 1 -> power(depth, length, c, true);
        case 2, 3 -> {
          E a = real(depth - 1, ls[0], c);
          E b = real(depth - 1, ls[1], c);
          yield call(rnd.nextBoolean() ? "min" : "max", Math.max(a.bound, b.bound), a, b);
        }
        default -> {
          E a = real(depth - 1, ls[0], c);
          E b = real(depth - 1, ls[1], c);
          yield call("logaddexp", Math.max(a.bound, b.bound) + Math.log(2), a, b);
        }
      };
    }

    /** {@code a ^ b} or {@code pow(a, b)}, with the base positive unless the exponent is an integer. */
    private E power(int depth, int length, Ctx c, boolean asCall) {
      int[] ls = operandLengths(length, 2);
      E base;
      E exponent;
      double bound;
      switch (rnd.nextInt(3)) {
        case 0 -> {
          String k = pick(List.of("2", "2", "3", "4", "5", "-1", "-2", "-3", "0", "1", "17", "2.0", "3."));
          double kv = Double.parseDouble(k);
          exponent = k.startsWith("-") ? neg(lit(k.substring(1))) : lit(k);
          if (kv < 0) {
            Positive p = positive(depth - 1, length, c, 10);
            base = p.e;
            bound = Math.pow(p.lo, kv);
          } else {
            base = kv == 0 ? real(depth - 1, length, c) : tame(real(depth - 1, length, c), Math.pow(LIMIT, 1 / kv));
            bound = Math.pow(base.bound, kv);
          }
        }
        case 1 -> {
          Positive p = positive(depth - 1, ls[0], c, 4);
          base = p.e;
          exponent = tame(real(depth - 1, ls[1], c), 2);
          bound = Math.max(Math.pow(p.hi, exponent.bound), Math.pow(p.lo, -exponent.bound));
        }
        default -> {
          base = pick(List.of(lit("2"), lit("0.5"), lit("1.5"), new E("e", ATOM, 0, false, Math.E, 0),
              new E("pi", ATOM, 0, false, Math.PI, 0)));
          exponent = tame(real(depth - 1, length, c), 2);
          bound = Math.max(Math.pow(base.bound, exponent.bound), Math.pow(base.bound, -exponent.bound));
        }
      }
      return tame(asCall ? call("pow", bound, base, exponent) : power(base, exponent, bound), LIMIT);
    }

    private E arithmetic(int depth, int length, Ctx c) {
      int[] ls = operandLengths(length, 2);
      int r = rnd.nextInt(10);
      if (r < 4) {
        E a = real(depth - 1, ls[0], c);
        E b = real(depth - 1, ls[1], c);
        if (a.bound + b.bound > LIMIT) {
          a = tame(a, LIMIT / 2);
          b = tame(b, LIMIT / 2);
        }
        // a - a is exactly zero: a kink of any abs or norm around it
        return r < 2 || a.text.equals(b.text) ? add(a, b) : sub(a, b);
      } else if (r < 6) {
        E a = real(depth - 1, ls[0], c);
        E b = real(depth - 1, ls[1], c);
        if (a.bound * b.bound > LIMIT) {
          a = tame(a, Math.sqrt(LIMIT));
          b = tame(b, Math.sqrt(LIMIT));
        }
        return mul(a, b);
      } else if (r < 8) {
        boolean literalDenominator = rnd.nextInt(3) == 0;
        E a = real(depth - 1, literalDenominator ? length : ls[0], c);
        E d;
        double lo;
        if (literalDenominator) {
          d = literal();
          lo = d.bound;
        } else {
          Positive p = positive(depth - 1, ls[1], c, 10);
          d = rnd.nextInt(4) == 0 ? neg(p.e) : p.e;
          lo = p.lo;
        }
        if (a.bound / lo > LIMIT) {
          a = tame(a, LIMIT * lo);
        }
        return binary("/", MUL, a, d, a.bound / lo, false);
      }
      return power(depth, length, c, false);
    }

    private E conditional(int depth, int length, Ctx c) {
      int[] ls = operandLengths(length, 3);
      E cond = bool(depth - 1, ls[0], c);
      E then = real(depth - 1, ls[1], c);
      E otherwise = real(depth - 1, ls[2], c);
      String text = wrap(cond, OR) + " ? " + wrap(then, COND) + " : " + wrap(otherwise, COND);
      return new E(text, COND, length, false, Math.max(then.bound, otherwise.bound), refs(cond, then, otherwise));
    }

    private E reduction(int depth, Ctx c) {
      int m = vectorLength(c);
      return switch (rnd.nextInt(10)) {
        case 7, 8 -> distribution(depth, rnd.nextInt(3) == 0 ? 0 : m, c);
        case 9 -> {
          // sd of a vector plus a ramp: its elements differ for every z, off sd's kink at 0
          int k = Math.max(2, m);
          E v = real(depth - 1, k, c);
          StringBuilder ramp = new StringBuilder("[");
          for (int i = 0; i < k; i++) {
            ramp.append(i == 0 ? "" : ", ").append(i);
          }
          E spread = add(v, new E(ramp.append(']').toString(), ATOM, k, false, k, 0));
          yield scalarCall("sd", 2 * spread.bound, spread);
        }
        case 0 -> {
          E v = tame(real(depth - 1, m, c), LIMIT / m);
          yield scalarCall("sum", m * v.bound, v);
        }
        case 1 -> {
          E v = real(depth - 1, m, c);
          yield scalarCall("mean", v.bound, v);
        }
        case 2 -> {
          E v = tame(real(depth - 1, m, c), LIMIT / Math.sqrt(m) - 2.2);
          // a vector other than a parameter may be zero for every z ([y] - y): keep norm off its kink
          boolean parameter = !c.inFunction && c.vars.stream().anyMatch(x -> x.name.equals(v.text) && x.param);
          E w = parameter ? v : offset(v);
          yield scalarCall("norm", Math.sqrt(m) * w.bound, w);
        }
        case 3, 4 -> {
          double each = Math.sqrt(LIMIT / m);
          E u = tame(real(depth - 1, m, c), each);
          E v = tame(real(depth - 1, m, c), each);
          yield scalarCall("dot", m * u.bound * v.bound, u, v);
        }
        case 5 -> {
          E v = real(depth - 1, m, c);
          yield scalarCall(rnd.nextBoolean() ? "logsumexp" : "log_sum_exp", v.bound + Math.log(m), v);
        }
        default -> {
          int count = 2 + rnd.nextInt(3);
          E[] args = new E[count];
          int elements = 0;
          double bound = 0;
          for (int i = 0; i < count; i++) {
            args[i] = real(depth - 1, rnd.nextInt(3) == 0 ? vectorLength(c) : 0, c);
            elements += Math.max(1, args[i].length);
            bound = Math.max(bound, args[i].bound);
          }
          yield scalarCall("logsumexp", bound + Math.log(elements), args);
        }
      };
    }

    /** A call of a user function whose result has the given length, or null if there is none. */
    private E callFunction(int depth, int length, Ctx c) {
      List<Fn> candidates = c.fns.stream()
          .filter(f -> !f.bool)
          .filter(f -> f.generic ? (length == 0 || f.refs != 0) : (!c.generic && f.length == length))
          .toList();
      if (candidates.isEmpty()) {
        return null;
      }
      return callOf(pick(candidates), depth, length, c);
    }

    private E callOf(Fn fn, int depth, int length, Ctx c) {
      int n = fn.args.size();
      int[] lengths = new int[n];
      if (fn.generic) {
        if (length > 0) {
          for (int i = 0; i < n; i++) {
            lengths[i] = rnd.nextBoolean() ? length : 0;
          }
          List<Integer> referenced = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            if ((fn.refs & (1L << i)) != 0) {
              referenced.add(i);
            }
          }
          if (referenced.stream().noneMatch(i -> lengths[i] > 0)) {
            lengths[pick(referenced)] = length;
          }
        }
      } else {
        for (int i = 0; i < n; i++) {
          lengths[i] = fn.args.get(i).length;
        }
      }
      List<String> texts = new ArrayList<>();
      long refs = 0;
      for (int i = 0; i < n; i++) {
        Var spec = fn.args.get(i);
        E a = spec.bool ? bool(depth - 1, lengths[i], c) : tame(real(depth - 1, lengths[i], c), ARG_LIMIT);
        texts.add(a.text);
        if ((fn.refs & (1L << i)) != 0) {
          refs |= a.refs;
        }
      }
      int resultLength = fn.generic ? length : fn.length;
      return new E(fn.name + "(" + String.join(", ", texts) + ")", ATOM, resultLength, fn.bool, fn.bound, refs);
    }

    /** The forms the stability rewrites recognise. */
    private E stable(int depth, int length, Ctx c) {
      int[] ls = operandLengths(length, 2);
      return switch (rnd.nextInt(7)) {
        case 0 -> {
          E a = tame(real(depth - 1, ls[0], c), 5);
          E b = tame(real(depth - 1, ls[1], c), 5);
          yield call("log", Math.max(a.bound, b.bound) + Math.log(2),
              add(call("exp", Math.exp(a.bound), a), call("exp", Math.exp(b.bound), b)));
        }
        case 1 -> {
          if (length > 0 || c.generic) {
            yield null;
          }
          int m = vectorLength(c);
          E v = tame(real(depth - 1, m, c), 5);
          yield call("log", v.bound + Math.log(m), scalarCall("sum", m * Math.exp(v.bound), call("exp", Math.exp(v.bound), v)));
        }
        case 2 -> {
          E a = tame(real(depth - 1, length, c), 20);
          E ea = call("exp", Math.exp(a.bound), a);
          yield call("log", a.bound + Math.log(2), rnd.nextBoolean() ? add(lit("1"), ea) : add(ea, lit("1")));
        }
        case 3 -> {
          E a = tame(real(depth - 1, length, c), 3);
          E ea = call("exp", Math.exp(a.bound), a);
          yield rnd.nextBoolean() ? sub(ea, lit("1")) : add(ea, neg(lit("1")));
        }
        case 4 -> {
          E a = tame(real(depth - 1, length, c), 5);
          yield call("log", Math.log1p(a.bound * a.bound), rnd.nextBoolean() ? add(lit("1"), square(a)) : add(square(a), lit("1")));
        }
        case 5 -> {
          E a = tame(real(depth - 1, length, c), 20);
          yield call("log1p", a.bound + Math.log(2), call("exp", Math.exp(a.bound), a));
        }
        default -> {
          E a = tame(real(depth - 1, length, c), 20);
          yield call("softplus", a.bound + Math.log(2), a);
        }
      };
    }

    /** Forms the simplifier rewrites exactly: x*1, x/1, x-0, --x, x+(-y), (-x)^2, x^0, equal branches, ... */
    private E identity(int depth, int length, Ctx c) {
      int[] ls = operandLengths(length, 2);
      E a = real(depth - 1, length, c);
      return switch (rnd.nextInt(18)) {
        case 0 -> mul(a, lit("1"));
        case 1 -> mul(lit("1"), a);
        case 2 -> binary("/", MUL, a, lit("1"), a.bound, false);
        case 3 -> sub(a, lit("0"));
        case 4 -> add(a, neg(lit("0")));
        case 5 -> mul(a, neg(lit("1")));
        case 6 -> neg(neg(a));
        case 7 -> {
          E x = tame(real(depth - 1, ls[0], c), LIMIT / 2);
          E y = tame(real(depth - 1, ls[1], c), LIMIT / 2);
          yield rnd.nextBoolean() ? add(x, neg(y)) : sub(x, neg(y));
        }
        case 8 -> {
          E x = tame(real(depth - 1, ls[0], c), LIMIT / 2);
          E y = tame(real(depth - 1, ls[1], c), LIMIT / 2);
          yield add(neg(x), y);
        }
        case 9 -> {
          E x = tame(real(depth - 1, ls[0], c), 5);
          E y = tame(real(depth - 1, ls[1], c), 5);
          yield mul(neg(x), neg(y));
        }
        case 10 -> {
          E x = tame(a, 5);
          yield power(neg(x), lit("2"), x.bound * x.bound);
        }
        case 11 -> call("abs", a.bound, neg(a));
        case 12 -> square(neg(tame(a, 5)));
        case 13 -> power(a, lit("1"), a.bound);
        case 14 -> add(power(a, lit("0"), 1), tame(real(depth - 1, length, c), LIMIT - 1));
        case 15 -> {
          E cond = bool(depth - 1, ls[0], c);
          String text = wrap(cond, OR) + " ? " + wrap(a, COND) + " : " + wrap(a, COND);
          yield new E(text, COND, length, false, a.bound, refs(cond, a));
        }
        case 16 -> {
          E b = real(depth - 1, length, c);
          String cond = rnd.nextBoolean() ? "1 < 2" : "2 <= 1";
          yield new E(cond + " ? " + wrap(a, COND) + " : " + wrap(b, COND), COND, length, false,
              Math.max(a.bound, b.bound), refs(a, b));
        }
        default -> {
          // -2^2 is -4 and 2^3^2 is 512: constants that test the precedences
          E x = tame(a, 5);
          yield rnd.nextBoolean()
              ? binary("/", MUL, mul(new E("-2^2", UNARY, 0, false, 4, 0), x), lit("4"), x.bound, false)
              : binary("/", MUL, mul(x, new E("2^3^2", POW, 0, false, 512, 0)), lit("512"), x.bound, false);
        }
      };
    }

    // ---- boolean expressions ------------------------------------------------------------------

    /** A boolean expression of the given length. */
    E bool(int depth, int length, Ctx c) {
      int r = depth <= 0 ? 0 : rnd.nextInt(12);
      int[] ls = operandLengths(length, 2);
      switch (r) {
        case 0, 1, 2, 3, 4 -> {
          E a = depth <= 0 ? leaf(ls[0], c) : real(depth - 1, ls[0], c);
          E b = depth <= 0 ? leaf(ls[1], c) : real(depth - 1, ls[1], c);
          if (mayBeEqual(a, b, c)) {
            b = offset(b);
          }
          int op = rnd.nextInt(14);
          if (op < 12) {
            String sym = List.of("<", "<=", ">", ">=").get(op % 4);
            return binary(sym, COMPARE, a, b, 0, true);
          }
          return binary(op == 12 ? "==" : "!=", EQUALITY, a, b, 0, true);
        }
        case 5, 6 -> {
          E a = bool(depth - 1, ls[0], c);
          E b = bool(depth - 1, ls[1], c);
          return rnd.nextBoolean() ? binary("&&", AND, a, b, 0, true) : binary("||", OR, a, b, 0, true);
        }
        case 7 -> {
          E a = bool(depth - 1, length, c);
          return new E("!" + wrap(a, UNARY), UNARY, length, true, 0, a.refs);
        }
        case 8 -> {
          E a = bool(depth - 1, ls[0], c);
          E b = bool(depth - 1, ls[1], c);
          return binary(rnd.nextBoolean() ? "==" : "!=", EQUALITY, a, b, 0, true);
        }
        default -> {
          E named = namedBool(depth, length, c);
          return named != null ? named : bool(depth - 1, length, c);
        }
      }
    }

    /**
     * Whether two sides of a comparison could be equal as functions, so that rounding (which the
     * simplifier's rewrites change) would decide it: unless they depend on disjoint sets of
     * parameters. Arguments of a function may be the same value at a call.
     */
    private static boolean mayBeEqual(E a, E b, Ctx c) {
      return c.inFunction || a.refs == 0 || b.refs == 0 || (a.refs & b.refs) != 0;
    }

    /** e plus or minus one of {@link #OFFSETS}. */
    private E offset(E e) {
      String k = pick(OFFSETS);
      double v = Double.parseDouble(k);
      return switch (rnd.nextInt(3)) {
        case 0 -> new E(wrap(e, ADD) + " + " + k, ADD, e.length, false, e.bound + v, e.refs);
        case 1 -> new E(wrap(e, ADD) + " - " + k, ADD, e.length, false, e.bound + v, e.refs);
        default -> new E(k + " + " + wrap(e, ADD + 1), ADD, e.length, false, e.bound + v, e.refs);
      };
    }

    /** A boolean name, an element of a boolean vector, a call of a boolean function, or a constant comparison. */
    private E namedBool(int depth, int length, Ctx c) {
      List<Var> same = c.vars.stream().filter(v -> v.bool && v.length == length).toList();
      List<Var> vectors = c.vars.stream().filter(v -> v.bool && v.length > 0).toList();
      List<Fn> fns = c.generic ? List.of() : c.fns.stream().filter(f -> f.bool && f.length == length).toList();
      int r = rnd.nextInt(5);
      if (r == 0 && !same.isEmpty()) {
        return ident(pick(same));
      }
      if (r == 1 && length == 0 && !vectors.isEmpty()) {
        Var v = pick(vectors);
        return index(ident(v), rnd.nextInt(v.length));
      }
      if (r == 2 && length == 0 && !c.generic) {
        // an element of a boolean vector expression
        int m = vectorLength(c);
        return index(bool(depth - 1, m, c), rnd.nextInt(m));
      }
      if (r == 3 && !fns.isEmpty()) {
        return callOf(pick(fns), depth, length, c);
      }
      if (r == 4 && length == 0) {
        return binary(rnd.nextBoolean() ? "<" : ">=", COMPARE, lit("1"), lit("2"), 0, true);
      }
      return null;
    }
  }
}
