package io.flowc.compiler.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Random models whose conditionals guard values that are undefined where the branch is not
 * taken: the square root, logarithm or non-integer power of a negative number, a division by
 * zero, the logarithm or square root of zero ({@code 1 / max(d, 0)}, {@code log(max(d, 0))}),
 * each of a difference d that is positive exactly where its branch is taken. The conditions
 * compare a parameter element (or a whole vector parameter, elementwise) with a threshold or with
 * another element; they come in both polarities ({@code c ? undefined : safe} and
 * {@code !c ? safe : undefined}, or the complementary comparison), as conjunctions and
 * disjunctions, nested, on vectors (reduced by sum, dot or an index) with scalars inside, and with
 * the difference shared by the guarded branch and code outside every conditional. The models have
 * unbounded parameters only, so a point's elements are the parameter values.
 *
 * <p>{@link GuardedModel#point} draws points with every element in [-{@link #RANGE},
 * {@link #RANGE}] and every difference at least {@link #MARGIN} away from zero, so the model is
 * smooth there and its taken branches are well defined.
 */
public final class GuardedModels {
  private GuardedModels() {}

  public static final double RANGE = 2;

  /** The least distance of a point from every branch boundary. */
  public static final double MARGIN = 0.2;

  private static final List<String> THRESHOLDS = List.of("0", "0.3", "-0.5", "1", "-1.2");

  /** A branch boundary: z[i] - z[j] = threshold (no z[j] if j is negative). */
  public record Boundary(int i, int j, double threshold) {
    double distance(double[] z) {
      return Math.abs(z[i] - (j < 0 ? 0 : z[j]) - threshold);
    }
  }

  /** A generated model: its text, its dimension, the seed that made it and its branch boundaries. */
  public record GuardedModel(long seed, String text, int dimension, List<Boundary> boundaries) {
    /** A point in range and away from every boundary. */
    public double[] point(Random random) {
      while (true) {
        double[] z = new double[dimension];
        for (int i = 0; i < dimension; i++) {
          z[i] = RANGE * (2 * random.nextDouble() - 1);
        }
        if (boundaries.stream().allMatch(b -> b.distance(z) >= MARGIN)) {
          return z;
        }
      }
    }

    @Override
    public String toString() {
      return "guarded model (seed " + seed + ", dimension " + dimension + "):\n" + text;
    }
  }

  public static Arbitrary<GuardedModel> models() {
    return Arbitraries.longs().map(GuardedModels::generate);
  }

  /** The model of a seed (the same model for the same seed, always). */
  public static GuardedModel generate(long seed) {
    return new Generator(new Random(seed)).model(seed);
  }

  /** A parameter: its name, its length (0 for a scalar) and the offset of its first element in z. */
  private record Param(String name, int length, int offset) {}

  /** A scalar element of a parameter, or a whole vector parameter: its text and its element offset. */
  private record Operand(String text, int length, int offset) {}

  /** A condition and a difference that is positive exactly where the condition holds. */
  private record Guard(String holds, String fails, String difference, int length) {}

  private static final class Generator {
    final Random rnd;
    final List<Param> params = new ArrayList<>();
    final List<Boundary> boundaries = new ArrayList<>();
    final List<String> lets = new ArrayList<>();
    int dimension;

    Generator(Random rnd) {
      this.rnd = rnd;
    }

    GuardedModel model(long seed) {
      List<String> names = new ArrayList<>(List.of("x", "y", "w", "v", "u"));
      int count = 1 + rnd.nextInt(3);
      for (int k = 0; k < count; k++) {
        int length = rnd.nextInt(3) == 0 ? 0 : 2 + rnd.nextInt(3);
        params.add(new Param(names.remove(rnd.nextInt(names.size())), length, dimension));
        dimension += Math.max(1, length);
      }
      List<String> terms = new ArrayList<>();
      int pieces = 1 + rnd.nextInt(3);
      for (int k = 0; k < pieces; k++) {
        terms.add(piece());
      }
      StringBuilder out = new StringBuilder("model guarded {\n");
      for (Param p : params) {
        out.append("  param ").append(p.name).append(p.length == 0 ? "" : "[" + p.length + "]").append(";\n");
      }
      lets.forEach(l -> out.append("  ").append(l).append('\n'));
      StringBuilder quadratic = new StringBuilder();
      for (Param p : params) {
        quadratic.append(quadratic.length() == 0 ? "" : " + ").append(p.length == 0 ? "square(" + p.name + ")"
            : "sum(square(" + p.name + "))");
      }
      out.append("  potential 0.5 * (").append(quadratic).append(");\n");
      for (String t : terms) {
        out.append(rnd.nextBoolean() ? "  potential " + t + ";\n" : "  logp += " + t + ";\n");
      }
      return new GuardedModel(seed, out.append("}\n").toString(), dimension, List.copyOf(boundaries));
    }

    // ---- pieces: scalar terms with guarded branches -------------------------------------------

    String piece() {
      return switch (rnd.nextInt(8)) {
        case 0, 1 -> conditional(scalarGuard());
        case 2 -> conjunction();
        case 3 -> nested();
        case 4 -> shared();
        case 5, 6 -> vector();
        default -> outer(conditional(scalarGuard()));
      };
    }

    /** {@code c ? undefined : safe}, or the same with the condition negated and the branches swapped. */
    String conditional(Guard g) {
      String danger = danger(g.difference);
      String safe = safe(g.length);
      return switch (rnd.nextInt(3)) {
        case 0 -> "(" + g.holds + " ? " + danger + " : " + safe + ")";
        case 1 -> "(" + g.fails + " ? " + safe + " : " + danger + ")";
        default -> "(!(" + g.holds + ") ? " + safe + " : " + danger + ")";
      };
    }

    /** Two guards at once: {@code c1 && c2 ? d1 * d2 : safe}, or its negation {@code !c1 || !c2 ? safe : ...}. */
    String conjunction() {
      Guard a = scalarGuard();
      Guard b = scalarGuard();
      String both = combine(danger(a.difference), danger(b.difference));
      return rnd.nextBoolean()
          ? "(" + a.holds + " && " + b.holds + " ? " + both + " : " + safe(0) + ")"
          : "(" + a.fails + " || " + b.fails + " ? " + safe(0) + " : " + both + ")";
    }

    /** {@code c1 ? (c2 ? d1 + d2 : d1) : (c2 ? d2 : safe)}: each branch needs the conditions around it. */
    String nested() {
      Guard a = scalarGuard();
      Guard b = scalarGuard();
      String da = danger(a.difference);
      String db = danger(b.difference);
      String inner = "(" + b.holds + " ? " + combine(da, db) + " : " + da + ")";
      String other = "(" + b.fails + " ? " + safe(0) + " : " + db + ")";
      return "(" + a.holds + " ? " + inner + " : " + other + ")";
    }

    /** A difference named by a let and used both in a branch and outside every conditional. */
    String shared() {
      Guard g = scalarGuard();
      String name = "t" + lets.size();
      lets.add("let " + name + " = " + g.difference + ";");
      String outside = pick(List.of("square(" + name + ")", "sin(" + name + ")", "0.3 * " + name));
      return outside + " + (" + name + " > 0 ? " + danger(name) + " : " + safe(0) + ")";
    }

    /** An elementwise conditional on a vector, possibly with a scalar guard inside, reduced to a scalar. */
    String vector() {
      Param v = vectorParam();
      if (v == null) {
        return conditional(scalarGuard());
      }
      Guard g = guard(new Operand(v.name, v.length, v.offset));
      String cond = g.holds;
      String danger = danger(g.difference);
      if (rnd.nextBoolean()) {
        Guard s = scalarGuard();
        cond = g.holds + " && " + s.holds;
        danger = combine(danger, danger(s.difference));
      }
      String conditional = "(" + cond + " ? " + danger + " : " + safe(v.length) + ")";
      return switch (rnd.nextInt(3)) {
        case 0 -> "sum(" + conditional + ")";
        case 1 -> "dot(" + v.name + ", " + conditional + ")";
        default -> conditional + "[" + rnd.nextInt(v.length) + "]";
      };
    }

    /** A guarded term inside a smooth function or a product. */
    String outer(String term) {
      return switch (rnd.nextInt(3)) {
        case 0 -> "tanh(" + term + ")";
        case 1 -> "sin(" + term + ")";
        default -> term + " * " + scalarOperand().text;
      };
    }

    // ---- guards, undefined values and safe ones ---------------------------------------------

    Guard scalarGuard() {
      return guard(scalarOperand());
    }

    /** {@code a > b} or {@code a < b} for b a threshold or another scalar element plus one, with its difference. */
    Guard guard(Operand a) {
      String threshold = pick(THRESHOLDS);
      double t = Double.parseDouble(threshold);
      Operand other = a.length == 0 && rnd.nextInt(3) == 0 ? scalarOperand() : null;
      if (other != null && other.offset == a.offset) {
        other = null;
      }
      String right = other == null ? threshold : other.text + " + " + threshold;
      if (a.length == 0) {
        boundaries.add(new Boundary(a.offset, other == null ? -1 : other.offset, t));
      } else {
        for (int i = 0; i < a.length; i++) {
          boundaries.add(new Boundary(a.offset + i, -1, t));
        }
      }
      if (rnd.nextBoolean()) {
        return new Guard(a.text + " > " + right, a.text + " <= " + right, a.text + " - (" + right + ")", a.length);
      }
      return new Guard(a.text + " < " + right, a.text + " >= " + right, right + " - " + a.text, a.length);
    }

    /** A value defined where {@code d} is positive and undefined (NaN or infinite, or its derivative) elsewhere. */
    String danger(String d) {
      return switch (rnd.nextInt(9)) {
        case 0 -> "sqrt(" + d + ")";
        case 1 -> "log(" + d + ")";
        case 2 -> "(" + d + ")^1.5";
        case 3 -> "1 / max(" + d + ", 0)";
        case 4 -> "log(max(" + d + ", 0))";
        case 5 -> "sqrt(max(" + d + ", 0))";
        case 6 -> scalarOperand().text + " / sqrt(" + d + ")";
        case 7 -> "log(log1p(" + d + "))";
        default -> "exp(-0.5 * log(" + d + "))";
      };
    }

    /** Defined everywhere. */
    String safe(int length) {
      Param v = length == 0 ? null : vectorParamOf(length);
      String operand = v != null ? v.name : scalarOperand().text;
      return switch (rnd.nextInt(4)) {
        case 0 -> "0";
        case 1 -> operand;
        case 2 -> "square(" + operand + ")";
        default -> "0.5 * sin(" + operand + ")";
      };
    }

    String combine(String a, String b) {
      return rnd.nextBoolean() ? a + " + " + b : a + " * " + b;
    }

    Operand scalarOperand() {
      Param p = pick(params);
      if (p.length == 0) {
        return new Operand(p.name, 0, p.offset);
      }
      int i = rnd.nextInt(p.length);
      return new Operand(p.name + "[" + i + "]", 0, p.offset + i);
    }

    Param vectorParam() {
      List<Param> vectors = params.stream().filter(p -> p.length > 0).toList();
      return vectors.isEmpty() ? null : pick(vectors);
    }

    Param vectorParamOf(int length) {
      List<Param> vectors = params.stream().filter(p -> p.length == length).toList();
      return pick(vectors);
    }

    <T> T pick(List<T> list) {
      return list.get(rnd.nextInt(list.size()));
    }
  }
}
