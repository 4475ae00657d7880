package io.flowc.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.interp.Interpreter;
import io.flowc.compiler.testing.DualInterpreter;
import io.flowc.compiler.testing.RandomModels;
import io.flowc.compiler.testing.RandomModels.RandomModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import io.flowc.runtime.data.DataSet;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterProperty;

/**
 * The compiled value and gradient ({@link Compilation#valueAndGradient}, evaluated by the
 * {@link IrEvaluator}) against three references that share nothing with the IR: for 2,000 random
 * models over the whole language ({@link RandomModels}) at 3 random points each, and for every
 * example at 20 points,
 * <ol>
 *   <li>the IR potential equals the interpreter's within 1e-12 (relative to max(1, |U|));
 *   <li>the IR gradient along a random direction t equals the directional derivative of forward
 *       mode dual numbers ({@link DualInterpreter}) within 1e-12 (relative to max(1, |derivative|));
 *   <li>each gradient element equals the central finite difference of the interpreter's log p,
 *       step h = cbrt(eps) max(1, |z_i|), within 1e-6 (relative to max(1, |gradient|)) where the
 *       difference is well conditioned.
 * </ol>
 * An element is ill-conditioned for finite differences when the estimates with steps h and h/2
 * disagree by more than 1e-7 relative (the step straddles a kink or a jump of ?:, or the function
 * is too curved there); such elements are skipped, counted, and at most 5% of all may be.
 * Everything is seeded: each run checks the same models at the same points.
 */
class GradientPropertyTest {
  static final double VALUE_TOLERANCE = 1e-12;
  static final double DUAL_TOLERANCE = 1e-12;
  static final double FD_TOLERANCE = 1e-6;
  static final double FD_CONSISTENCY = 1e-7;
  static final double MAX_SKIPPED_FRACTION = 0.05;
  static final int POINTS_PER_MODEL = 3;
  static final int POINTS_PER_EXAMPLE = 20;

  /** Finite-difference checks done and skipped over one property. */
  static final class Tally {
    long checked;
    long skipped;
    final List<String> skippedWhere = new ArrayList<>();

    void assertFewSkipped(String what) {
      long total = checked + skipped;
      assertTrue(total > 0, "no finite-difference check ran for " + what);
      assertTrue(skipped <= MAX_SKIPPED_FRACTION * total,
          () -> skipped + " of " + total + " finite-difference checks of " + what
              + " were skipped as ill-conditioned (at most " + MAX_SKIPPED_FRACTION * 100 + "% may be); first ones:\n"
              + String.join("\n", skippedWhere.subList(0, Math.min(10, skippedWhere.size()))));
    }
  }

  private final Tally tally = new Tally();

  // ---- random models ------------------------------------------------------------------------

  @Provide
  Arbitrary<RandomModel> models() {
    return RandomModels.models();
  }

  @Property(tries = 2000, seed = "20240801", generation = GenerationMode.RANDOMIZED,
      edgeCases = EdgeCasesMode.NONE, shrinking = ShrinkingMode.OFF)
  void gradientOfRandomModelsAgreesWithInterpreterDualsAndDifferences(@ForAll("models") RandomModel m) {
    checkModel(m.text(), "random model of seed " + m.seed(), new Random(m.seed()), POINTS_PER_MODEL, tally);
  }

  @AfterProperty
  void fewFiniteDifferenceChecksWereSkipped() {
    tally.assertFewSkipped("this property");
  }

  // ---- the examples -------------------------------------------------------------------------

  @Example
  void gradientOfEveryExampleAgreesWithInterpreterDualsAndDifferences() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(TestPaths.examples())) {
      files = list.filter(p -> p.toString().endsWith(".flow")).sorted().toList();
    }
    assertFalse(files.isEmpty(), "no examples under " + TestPaths.examples());
    for (Path file : files) {
      String name = file.getFileName().toString();
      if (name.equals("diamonds.flow")) {
        // log p of 5000 rows is about -1e7 at random points, where central differences keep no
        // digits; TransformedDataTest checks its gradient near the posterior instead
        continue;
      }
      String text = Files.readString(file);
      Random random = new Random(20240802L + name.hashCode());
      if (name.equals("gp_pois_regr.flow")) {
        // the Cholesky factor of a kernel matrix with condition number near 1e10 loses digits
        // beyond the 1e-12 the other examples meet; MatrixFunctionsTest checks it at its own tolerance
        continue;
      }
      if (text.contains("for t in")) {
        // a time series' recursion explodes away from stationarity (|theta| > 1 gives err ~ theta^T,
        // log p near -1e88, where differences keep no digits): points near the origin, where it is stationary
        checkModel(text, TestPaths.exampleData(file), name, POINTS_PER_EXAMPLE, dimension -> {
          double[] z = RandomModels.point(random, dimension);
          for (int i = 0; i < z.length; i++) {
            z[i] *= 0.2;
          }
          return z;
        }, random, tally);
        continue;
      }
      checkModel(text, TestPaths.exampleData(file), name, random, POINTS_PER_EXAMPLE, tally);
    }
  }

  // ---- the checks ---------------------------------------------------------------------------

  /** The three checks at {@code points} random points of one model. */
  static void checkModel(String text, String what, Random random, int points, Tally tally) {
    checkModel(text, null, what, random, points, tally);
  }

  /** As {@link #checkModel(String, String, Random, int, Tally)} for a model with data. */
  static void checkModel(String text, DataSet data, String what, Random random, int points, Tally tally) {
    checkModel(text, data, what, points, dimension -> RandomModels.point(random, dimension), random, tally);
  }

  /**
   * The three checks at {@code points} points that {@code pointOfDimension} draws (given the
   * model's dimension); {@code random} draws the directions.
   */
  static void checkModel(String text, DataSet data, String what, int points, IntFunction<double[]> pointOfDimension,
      Random random, Tally tally) {
    CheckedModel model;
    try {
      model = FrontEnd.check(new SourceFile("model.flow", text), data);
    } catch (CompileException e) {
      throw new AssertionError("does not compile: " + what + "\n" + text + "\n" + e.render(), e);
    }
    IrFunction f;
    try {
      f = Compilation.valueAndGradient(model);
    } catch (RuntimeException e) {
      throw new AssertionError("compilation throws on " + what + "\n" + text, e);
    }
    Interpreter interpreter = new Interpreter(model);
    DualInterpreter dual = new DualInterpreter(model);
    List<String> elements = model.elementNames();
    int n = model.dimension();
    for (int k = 0; k < points; k++) {
      double[] z = pointOfDimension.apply(n);
      double[] t = new double[n];
      for (int i = 0; i < n; i++) {
        t[i] = random.nextGaussian();
      }
      String where = what + ", point " + k + " z = " + Arrays.toString(z) + "\n" + text;

      Map<String, double[]> out;
      try {
        out = IrEvaluator.evaluate(f, z, model.dataValues());
      } catch (RuntimeException e) {
        throw new AssertionError("IR evaluation throws on " + where, e);
      }
      double potential = out.get(Compilation.POTENTIAL)[0];
      double[] gradient = new double[n];
      for (Node input : f.inputs()) {
        double[] g = out.get(Compilation.gradientName(input));
        System.arraycopy(g, 0, gradient, f.offsetOf(input), g.length);
      }

      // (a) the value
      Interpreter.Evaluation reference = interpreter.evaluate(z);
      assertTrue(Double.isFinite(reference.potential()), () -> "interpreter potential not finite at " + where);
      assertClose(reference.potential(), potential, VALUE_TOLERANCE, "IR potential vs interpreter", where);
      assertClose(reference.logp(), out.get(Compilation.LOGP)[0], VALUE_TOLERANCE, "IR logp vs interpreter", where);
      for (int i = 0; i < n; i++) {
        int element = i;
        assertTrue(Double.isFinite(gradient[i]),
            () -> "IR gradient element " + elements.get(element) + " is " + gradient[element] + " at " + where);
      }

      // (b) the directional derivative
      DualInterpreter.Result r = dual.logpAndDerivative(z, t);
      assertClose(reference.logp(), r.logp(), VALUE_TOLERANCE, "dual-number logp vs interpreter", where);
      double directional = 0;
      for (int i = 0; i < n; i++) {
        directional += gradient[i] * t[i];
      }
      assertClose(r.derivative(), directional, DUAL_TOLERANCE,
          "IR gradient . t vs dual numbers, t = " + Arrays.toString(t), where);

      // (c) finite differences, element by element
      for (int i = 0; i < n; i++) {
        double h = Math.cbrt(Math.ulp(1.0)) * Math.max(1, Math.abs(z[i]));
        double coarse = centralDifference(interpreter, z, i, h);
        double fine = centralDifference(interpreter, z, i, h / 2);
        String element = "element " + elements.get(i) + " (" + i + ")";
        if (Math.abs(coarse - fine) > FD_CONSISTENCY * Math.max(1, Math.abs(fine))) {
          tally.skipped++;
          tally.skippedWhere.add(what + ", point " + k + ", " + element + ": differences " + coarse + " (h) and "
              + fine + " (h/2), gradient " + gradient[i]);
          continue;
        }
        tally.checked++;
        assertClose(coarse, gradient[i], FD_TOLERANCE,
            "IR gradient " + element + " vs central difference (h = " + h + ", h/2 gives " + fine + ")", where);
      }
    }
  }

  /** (logp(z + h e_i) - logp(z - h e_i)) / (x_+ - x_-), with the step as represented. */
  static double centralDifference(Interpreter interpreter, double[] z, int i, double h) {
    double[] at = z.clone();
    double plus = z[i] + h;
    double minus = z[i] - h;
    at[i] = plus;
    double up = interpreter.logp(at);
    at[i] = minus;
    double down = interpreter.logp(at);
    return (up - down) / (plus - minus);
  }

  /** |actual - expected| <= tolerance * max(1, |expected|). */
  static void assertClose(double expected, double actual, double tolerance, String what, String where) {
    double error = Math.abs(actual - expected);
    double scale = Math.max(1, Math.abs(expected));
    if (!(error <= tolerance * scale)) {
      fail(what + ": expected " + expected + ", got " + actual + " (error " + error / scale
          + " relative, tolerance " + tolerance + ") at " + where);
    }
  }
}
