package io.flowc.compiler.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.interp.Interpreter;
import io.flowc.compiler.testing.DualInterpreter;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The language's matrix functions (docs/language.md, "Matrices"): their diagnostics with line
 * and column; compiled values and gradients against the reference interpreter (which computes
 * them from their textbook definitions) and its central differences; multi_normal_cholesky with a
 * diagonal factor against independent normals; gp_pois_regr near its posterior.
 */
class MatrixFunctionsTest {
  private static final DataSet DATA = StanJson.parse(
      "{\"N\": 3, \"K\": 2, \"x\": [-1, 0.5, 2], \"y\": [1, 2, 4], \"X\": [[1, 0], [1, 1], [1, 2]]}", "d.json");
  private static final String HEAD = "data int N;\ndata int K;\ndata real x[N];\ndata real y[N];\ndata real X[N, K];\n"
      + "param b[3];\n";

  private static List<String> errors(String body) {
    FrontEnd.Analysis a = FrontEnd.analyze(new SourceFile("m.flow", "model m {\n" + HEAD + body + "\n}\n"), DATA);
    return a.diagnostics().stream().map(d -> d.span().line() + ":" + d.span().column() + ": " + d.message()).toList();
  }

  @Test
  void shapesAreCheckedWithLineAndColumn() {
    assertEquals(List.of("8:28: 'cholesky_decompose' needs a square matrix, got a 3 x 2 matrix"),
        errors("let L = cholesky_decompose(X);\nlogp += sum(b);"));
    assertEquals(List.of("8:28: 'cholesky_decompose' needs a matrix, got a vector of length 3"),
        errors("let L = cholesky_decompose(b);\nlogp += sum(b);"));
    assertEquals(List.of("9:9: 'C' is a matrix (3 x 3) where a scalar or a vector is expected: it can multiply a"
        + " vector ('C * v') or be an argument of a matrix function"),
        errors("let C = gp_exp_quad_cov(x, 1, 2);\nlogp += C;"));
    assertEquals(List.of("8:13: 'cholesky_decompose' gives a matrix: name it with 'let' or multiply a vector by it"),
        errors("logp += sum(cholesky_decompose(diag_matrix(b)));"));
    assertEquals(List.of("9:15: 'L' (3 x 3) can multiply a vector of length 3, got a vector of length 2"),
        errors("let L = cholesky_decompose(gp_exp_quad_cov(x, 1, 2));\nlogp += sum(L * [b[0], b[1]]);"));
    assertEquals(List.of("8:11: '*' of a 3 x 2 and a 3 x 3 matrix: the left one's columns must be the right one's rows"),
        errors("let P = X * diag_matrix(b);\nlogp += sum(b);"));
    assertEquals(List.of("8:11: '+' of a 3 x 2 and a 3 x 3 matrix: the shapes must match"),
        errors("let P = X + diag_matrix(b);\nlogp += sum(b);"));
    assertEquals(List.of("8:25: 'gp_exp_quad_cov' needs a vector of points, got a scalar"),
        errors("let C = gp_exp_quad_cov(1, 1, 2);\nlogp += sum(b);"));
    assertEquals(List.of("8:34: 'add_diag' needs a scalar or a vector of length 3, got a vector of length 2"),
        errors("let C = add_diag(diag_matrix(b), [1, 2]);\nlogp += sum(b);"));
    assertEquals(List.of("9:1: 'multi_normal_cholesky' takes 2 arguments, got 1",
            "10:1: 'multi_normal_cholesky' needs a vector of length 3, got a vector of length 2"),
        errors("let L = cholesky_decompose(diag_matrix(exp(b)));\ny ~ multi_normal_cholesky(L);\n"
            + "[b[0], b[1]] ~ multi_normal_cholesky(b, L);"));
    assertEquals(List.of("8:23: the size of 'rep_vector' must be a positive integer literal or a 'data int' declared"
        + " before it"), errors("let r = rep_vector(1, b[0]);\nlogp += sum(b);"));
    assertEquals(List.of("8:20: 'rep_matrix' needs a scalar, got a vector of length 3"),
        errors("let R = rep_matrix(b, 2, 2);\nlogp += sum(b);"));
    assertEquals(List.of("8:9: unknown function 'cholesky_decompos' (did you mean 'cholesky_decompose'?)"),
        errors("let L = cholesky_decompos(diag_matrix(b));\nlogp += sum(b);"));
    assertEquals(List.of("8:13: 'derived' needs a real value (a scalar or a vector), got a matrix"),
        errors("derived D = diag_matrix(b);\nlogp += sum(b);"));
    assertEquals(List.of("8:16: 'center' needs a data matrix, got a 3 x 3 matrix"),
        errors("let D = center(diag_matrix(b));\nlogp += sum(b);"));
  }

  @Test
  void scaledMatricesTranspositionAndTheMultivariateNormalAreCheckedWithLineAndColumn() {
    assertEquals(List.of("9:9: '*' scales a matrix by a scalar, got a vector of length 3"),
        errors("let C = gp_exp_quad_cov(x, 1, 2);\nlet D = b * C;\nlogp += sum(b);"));
    assertEquals(List.of("9:13: '/' divides a matrix by a scalar, got a vector of length 3"),
        errors("let C = gp_exp_quad_cov(x, 1, 2);\nlet D = C / b;\nlogp += sum(b);"));
    assertEquals(List.of("9:11: 'C' (3 x 3) can multiply a vector of length 3, got a scalar (a scalar scales a matrix"
        + " from the left: 's * A')"), errors("let C = gp_exp_quad_cov(x, 1, 2);\nlet D = C * 2;\nlogp += sum(b);"));
    assertEquals(List.of("9:15: '*' of a matrix and a scalar gives a matrix: name it with 'let' or multiply a vector by it"),
        errors("let C = gp_exp_quad_cov(x, 1, 2);\nlogp += sum(2 * C);"));
    assertEquals(List.of("8:13: 'transpose' needs a matrix, got a vector of length 3"), errors("logp += sum(b');"));
    assertEquals(List.of("8:21: 'multi_normal' needs a square matrix, got a 3 x 2 matrix"),
        errors("y ~ multi_normal(b, X);"));
  }

  /**
   * multi_normal of a covariance matrix is multi_normal_cholesky of its factor: the reference
   * interpreter computes the former by elimination (its own solve and determinant), so the two
   * agree only if both are right; compiled, the difference is zero to rounding too.
   */
  @Test
  void multiNormalOfACovarianceIsMultiNormalCholeskyOfItsFactor() throws CompileException {
    CheckedModel model = FrontEnd.check(new SourceFile("mvn.flow", """
        model mvn {
          data int N;
          data real x[N];
          data real y[N];
          param r;
          param m[3];
          let rho = exp(r);
          let S = add_diag(2 * gp_exp_quad_cov(x, 1, rho) / rho, 0.5);
          potential multi_normal_lpdf(y, m, S) - multi_normal_cholesky_lpdf(y, m, cholesky_decompose(S));
        }
        """), DATA);
    assertPotentialIsZero(model, new SplittableRandom(6));
  }

  /** A model of every matrix function, with parameters in every matrix. */
  private static final String EVERY_FUNCTION = """
      model every {
        data int N;
        data int K;
        data real x[N];
        data real y[N];
        data real X[N, K];
        param rho > 0;
        param alpha > 0;
        param v[3];
        param m[3];
        let C = add_diag(gp_exp_quad_cov(x, alpha, rho), 0.5);
        let L = cholesky_decompose(C);
        let D = diag_matrix(exp(v));
        let S = C * D + transpose(L) * L - D;
        let G = add_diag(X * transpose(X), exp(m));
        let LS = cholesky_decompose(add_diag(S * transpose(S), 1) + G + rep_matrix(0.25, N, 3));
        let J = gp_exp_quad_cov(x, 1, 2) + diag_matrix(rep_vector(alpha, N));
        logp += multi_normal_cholesky_lpdf(y, m, L);
        y ~ multi_normal_cholesky(m[0], LS);
        logp += log_determinant_spd(C) + sum(mdivide_left_tri_low(L, v)) + sum(diagonal(S)) + sum(LS * m);
        logp += log_determinant_spd(J) + sum(rep_vector(rho, 2));
        let J2 = (rho * J - X * X') / alpha + L' * D;
        logp += multi_normal_lpdf(y, m, add_diag(J2 * J2', 1));
        y ~ multi_normal(v, add_diag(alpha^2 * C, 1));
        logp += log_determinant(S) + log_determinant(J2);
        v ~ normal(0, 1);
        m ~ normal(0, 1);
        rho ~ gamma(2, 2);
        alpha ~ normal(0, 1);
      }
      """;

  @Test
  void compiledValuesAndGradientsMatchTheInterpreter() throws CompileException {
    CheckedModel model = FrontEnd.check(new SourceFile("every.flow", EVERY_FUNCTION), DATA);
    assertAgree(model, new SplittableRandom(5), 1.0, new double[model.dimension()], 1e-10);
  }

  @Test
  void multiNormalCholeskyWithADiagonalFactorIsIndependentNormals() throws CompileException {
    CheckedModel model = FrontEnd.check(new SourceFile("mvn.flow", """
        model mvn {
          data int N;
          data real y[N];
          param u[3];
          param m[3];
          let s = exp(u);
          potential multi_normal_cholesky_lpdf(y, m, cholesky_decompose(diag_matrix(square(s))))
              - normal_lpdf(y, m, s);
        }
        """), DATA);
    assertPotentialIsZero(model, new SplittableRandom(2));
  }

  /** At 5 points uniform in (-1, 1)^d, interpreted and compiled, the model's potential is 0 within 1e-12. */
  private static void assertPotentialIsZero(CheckedModel model, SplittableRandom r) {
    Interpreter interpreter = new Interpreter(model);
    LogDensity compiled = Compilation.load(model);
    for (int k = 0; k < 5; k++) {
      double[] z = new double[model.dimension()];
      for (int i = 0; i < z.length; i++) {
        z[i] = r.nextDouble() * 2 - 1;
      }
      assertEquals(0, interpreter.evaluate(z).potential(), 1e-12);
      assertEquals(0, compiled.logDensity(z, new double[compiled.workspaceSize()]), 1e-12);
    }
  }

  @Test
  void gpPoisRegrNearItsPosterior() throws Exception {
    CheckedModel model = TestPaths.checkExample(TestPaths.example("gp_pois_regr"));
    double[] center = new double[model.dimension()];
    center[0] = Math.log(5.7);
    center[1] = Math.log(2.9);
    // the factor of a kernel matrix with condition number near 1e10: fewer digits agree, and
    // central differences keep too few; dual numbers give each gradient element instead
    Interpreter interpreter = new Interpreter(model);
    DualInterpreter dual = new DualInterpreter(model);
    LogDensity compiled = Compilation.load(model);
    int n = model.dimension();
    SplittableRandom r = new SplittableRandom(3);
    for (int point = 0; point < 4; point++) {
      double[] z = new double[n];
      for (int i = 0; i < n; i++) {
        z[i] = center[i] + (i < 2 ? 0.3 : 1.0) * (2 * r.nextDouble() - 1);
      }
      double[] gradient = new double[n];
      double value = compiled.logDensityGradient(z, gradient, new double[compiled.workspaceSize()]);
      assertEquals(interpreter.logp(z), value, 1e-9 * Math.abs(value), "log density at point " + point);
      for (int i = 0; i < n; i++) {
        double[] t = new double[n];
        t[i] = 1;
        double exact = dual.logpAndDerivative(z, t).derivative();
        assertEquals(exact, gradient[i], 1e-8 * Math.max(1, Math.abs(exact)), "d log p / d z[" + i + "] at point " + point);
      }
    }
  }

  /**
   * Simulation evaluates matrix lets from the values drawn so far: gp_pois_regr's counts follow
   * f = L f_tilde of the drawn rho, alpha and f_tilde; the multivariate normal has no generator
   * and is refused at its statement.
   */
  @Test
  void simulationComputesMatrixLetsAndRefusesTheMultivariateNormal() throws Exception {
    java.nio.file.Path file = TestPaths.example("gp_pois_regr");
    DataSet data = TestPaths.exampleData(file);
    io.flowc.compiler.simulate.Simulator simulator = io.flowc.compiler.simulate.Simulator.of(
        io.flowc.compiler.simulate.Simulator.check(new SourceFile("gp.flow", java.nio.file.Files.readString(file)), data));
    io.flowc.compiler.simulate.Simulation sim = simulator.simulate(data, new SplittableRandom(4));
    double[] k = sim.data().get("k").elements();
    assertEquals(11, k.length);
    for (double count : k) {
      assertTrue(count >= 0 && count == Math.rint(count), "a count: " + count);
    }
    CompileException e = org.junit.jupiter.api.Assertions.assertThrows(CompileException.class,
        () -> io.flowc.compiler.simulate.Simulator.of(io.flowc.compiler.simulate.Simulator.check(new SourceFile("m.flow",
            "model m { data real y[2]; param m[2]; m ~ normal(0, 1);\n"
                + "let L = cholesky_decompose(diag_matrix([1, 2])); y ~ multi_normal_cholesky(m, L); }"),
            StanJson.parse("{\"y\": [1, 2]}", "d.json"))));
    assertEquals("2:54: distribution 'multi_normal_cholesky' has no random generator",
        e.diagnostics().get(0).span().line() + ":" + e.diagnostics().get(0).span().column() + ": "
            + e.diagnostics().get(0).message());
  }

  /**
   * At points around {@code center} (spread {@code spread}): the compiled log density within
   * {@code tolerance} (relative) of the interpreter's, the gradient within 1e-6 of the
   * interpreter's central differences.
   */
  private static void assertAgree(CheckedModel model, SplittableRandom r, double spread, double[] center, double tolerance) {
    Interpreter interpreter = new Interpreter(model);
    LogDensity compiled = Compilation.load(model);
    int n = model.dimension();
    for (int point = 0; point < 4; point++) {
      double[] z = new double[n];
      for (int i = 0; i < n; i++) {
        z[i] = center[i] + spread * (2 * r.nextDouble() - 1);
      }
      double[] gradient = new double[n];
      double value = compiled.logDensityGradient(z, gradient, new double[compiled.workspaceSize()]);
      double reference = interpreter.logp(z);
      assertEquals(reference, value, tolerance * Math.max(1, Math.abs(reference)), "log density at point " + point);
      for (int i = 0; i < n; i++) {
        double h = 1e-6;
        double[] up = z.clone();
        double[] down = z.clone();
        up[i] += h;
        down[i] -= h;
        double numeric = (interpreter.logp(up) - interpreter.logp(down)) / (2 * h);
        assertTrue(Double.isFinite(gradient[i]), "gradient " + i);
        assertEquals(numeric, gradient[i], 1e-6 * Math.max(1, Math.abs(numeric)), "d log p / d z[" + i + "] at point " + point);
      }
    }
  }
}
