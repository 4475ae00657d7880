package io.flowc.compiler.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.Diagnostic;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.interp.Interpreter;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Data declarations: sizes from data, shapes checked against the values, matrices only in X * v. */
class DataCheckingTest {
  private static final DataSet DATA = StanJson.parse(
      "{\"N\": 3, \"K\": 2, \"y\": [1, 2, 4], \"X\": [[1, 0], [1, 1], [1, 2]], \"r\": 0.5, \"n\": [0, 1, 3]}", "d.json");

  private static List<String> errors(String body, DataSet data) {
    FrontEnd.Analysis a = FrontEnd.analyze(new SourceFile("m.flow", "model m {\n" + body + "\n}\n"), data);
    return a.diagnostics().stream().map(d -> d.span().line() + ":" + d.span().column() + ": " + d.message()).toList();
  }

  @Test
  void aRegressionWithAMatrixEqualsItsDirectFormula() throws CompileException {
    CheckedModel m = FrontEnd.check(new SourceFile("m.flow", """
        model m {
          data int N;
          data int K;
          data real X[N, K];
          data real y[N];
          param beta[K];
          param sigma > 0;
          y ~ normal(X * beta, sigma);
        }
        """), DATA);
    LogDensity density = Compilation.load(m);
    double[] z = {0.3, 1.1, Math.log(0.7)};
    double sigma = 0.7;
    double[][] x = {{1, 0}, {1, 1}, {1, 2}};
    double[] y = {1, 2, 4};
    double expected = Math.log(sigma); // the log-Jacobian of sigma > 0
    for (int i = 0; i < 3; i++) {
      double mu = x[i][0] * z[0] + x[i][1] * z[1];
      double r = (y[i] - mu) / sigma;
      expected += -0.5 * r * r - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI);
    }
    assertEquals(expected, density.logDensity(z, new double[density.workspaceSize()]), 1e-12);
    assertEquals(expected, new Interpreter(m).logp(z), 1e-12);
    assertEquals(3, m.dimension());
  }

  /** Misuse of the data-matrix helpers, at its column (DATA's X is 3 x 2). */
  @Test
  void matrixHelpersAreCheckedAtTheirColumns() {
    String head = "data int N;\ndata int K;\ndata real X[N, K];\ndata real y[N];\nparam b[2];\n";
    assertEquals(List.of(), errors(head + "let Xc = center(cols(X, 0, K));\ny ~ normal(Xc * b + sum(col_means(X)), sd(y));",
        DATA));
    assertEquals(List.of("7:21: column bound 3 is out of range for a matrix of 2 columns"),
        errors(head + "let Xc = cols(X, 1, K + 1);\ny ~ normal(0, 1);", DATA));
    assertEquals(List.of("7:10: 'cols' needs from < to, got 1 and 1"),
        errors(head + "let Xc = cols(X, 1, 1);\ny ~ normal(0, 1);", DATA));
    assertEquals(List.of("7:23: 'center' needs a data matrix, got a vector of length 3"),
        errors(head + "y ~ normal(sum(center(y)), 1);", DATA));
    assertEquals(List.of("7:16: 'center' gives a matrix: name it with 'let' or multiply a vector by it"),
        errors(head + "y ~ normal(sum(center(X)), 1);", DATA));
    assertEquals(List.of("8:15: 'Xc' (3 x 1) can multiply a vector of length 1, got a vector of length 2"),
        errors(head + "let Xc = center(cols(X, 1, K));\ny ~ normal(Xc * b, 1);", DATA));
    assertEquals(List.of("7:14: 'derived' needs a real value (a scalar or a vector), got a matrix"),
        errors(head + "derived Xc = center(X);\ny ~ normal(0, 1);", DATA));
    assertEquals(List.of("8:12: 'Xc' is a matrix (3 x 2) where a scalar or a vector is expected: it can multiply a vector ('Xc * v') or be an argument of a matrix function"),
        errors(head + "let Xc = center(X);\ny ~ normal(Xc, 1);", DATA));
  }

  @Test
  void sizesComeFromDataIntegers() {
    assertEquals(List.of(), errors("data int N;\nparam b[N];\nb ~ normal(0, 1);", DATA));
    assertEquals(List.of("4:9: the size of 'b' must be a positive integer literal or a 'data int' declared before it"),
        errors("data real r;\nparam a;\nparam b[r];\na ~ normal(0, 1);", DATA));
    assertEquals(List.of("3:13: the size of 'y' must be a positive integer literal or a 'data int' declared before it"),
        errors("param a;\ndata real y[M];\na ~ normal(0, 1);", DATA));
  }

  @Test
  void valuesMustFitTheDeclarations() {
    assertEquals(List.of("4:1: 'y' is an array of 3 in d.json; the model declares real y[2]",
            "5:1: 'nn' is missing from d.json (the model declares int nn)",
            "6:1: 'r' is declared int but element 0 in d.json is 0.5"),
        errors("data int K;\nparam a;\ndata real y[K];\ndata int nn;\ndata int r;\na ~ normal(0, 1);", DATA));
  }

  @Test
  void dataIntegersIndexVectorsWithinTheirLength() throws CompileException {
    DataSet data = StanJson.parse("{\"J\": 3, \"g\": [1, 3, 2, 3], \"k\": 2, \"y\": [0.5, 1, -1, 2]}", "d.json");
    String head = "data int J;\ndata int g[4];\ndata int k;\ndata real y[4];\nparam theta[J];\n";
    CheckedModel m = FrontEnd.check(new SourceFile("m.flow", "model m {\n" + head
        + "y ~ normal(theta[g - 1], 1);\nlogp += -0.5 * square(theta[k]);\n}\n"), data);
    LogDensity density = Compilation.load(m);
    double[] z = {0.1, -0.2, 0.3};
    double[] y = {0.5, 1, -1, 2};
    int[] g = {0, 2, 1, 2};
    double expected = -0.5 * z[2] * z[2];
    for (int i = 0; i < 4; i++) {
      double r = y[i] - z[g[i]];
      expected += -0.5 * r * r - 0.5 * Math.log(2 * Math.PI);
    }
    assertEquals(expected, density.logDensity(z, new double[density.workspaceSize()]), 1e-12);
    double[] gradient = new double[3];
    density.logDensityGradient(z, gradient, new double[density.workspaceSize()]);
    // d/dtheta[j]: the residuals of group j (theta[1] appears twice: the scatter adds), and theta[2]'s own term
    assertEquals((0.5 - z[0]), gradient[0], 1e-12);
    assertEquals((-1 - z[1]), gradient[1], 1e-12);
    assertEquals((1 - z[2]) + (2 - z[2]) - z[2], gradient[2], 1e-12);

    assertEquals(List.of("7:18: 'g' holds 3 at element 1 in d.json, but the model indexes a vector of 3 with 'g'"
            + " (it must lie in 0..2)"),
        errors(head + "y ~ normal(theta[g], 1);", data));
    assertEquals(List.of("7:15: an index must be a non-negative integer literal, or a 'data int' (plus or minus an"
            + " integer literal)"), errors(head + "logp += theta[y];", data));
  }

  @Test
  void aModelWithDataNeedsData() {
    assertEquals(List.of("3:1: model 'm' declares data ('N'): give its values (flowc: --data FILE.json; "
            + "@FlowModel: data = \"FILE.json\")"),
        errors("param a;\ndata int N;\ndata real y[N];\na ~ normal(0, 1);", null));
  }

  @Test
  void dataIndicesWithoutDataCauseNoSecondError() {
    assertEquals(List.of("3:1: model 'm' declares data ('N'): give its values (flowc: --data FILE.json; "
            + "@FlowModel: data = \"FILE.json\")"),
        errors("param theta[4];\ndata int N;\ndata int group[N];\nlogp += sum(theta[group - 1]) + theta[group];", null));
  }

  @Test
  void integersBeyondAnIntAreRefusedOnceAtTheirDeclaration() {
    DataSet big = StanJson.parse("{\"N\": 4294967299, \"y\": [1]}", "d.json");
    assertEquals(List.of("3:1: 'N' is 4294967299 in d.json, beyond the range of a data int (-2147483648..2147483647)"),
        errors("param a;\ndata int N;\ndata real y[N];\nparam b[N];\na ~ normal(0, 1);", big));
  }

  @Test
  void aParameterSizedFromDataHasTheLimitOfALiteralSize() {
    String body = "data int J;\nparam x[J];\npotential sum(x^2);";
    assertEquals(List.of("3:9: 'x' is too large: J = 1000000000 elements in d.json (at most 1000000)"),
        errors(body, StanJson.parse("{\"J\": 1000000000}", "d.json")));
    assertEquals(List.of(), errors(body, StanJson.parse("{\"J\": 1000000}", "d.json")));
    assertEquals(List.of("2:9: 'x' is too large: 1000001 elements (at most 1000000)"),
        errors("param x[1000001];\npotential sum(x^2);", null));
  }

  @Test
  void matricesOnlyMultiplyVectorsOfTheirWidth() {
    String head = "data int N;\ndata int K;\ndata real X[N, K];\nparam b[3];\n";
    assertEquals(List.of("6:15: 'X' (3 x 2) can multiply a vector of length 2, got a vector of length 3"),
        errors(head + "logp += sum(X * b);", DATA));
    assertEquals(List.of("6:13: 'X' is a matrix (3 x 2) where a scalar or a vector is expected: it can multiply a vector ('X * v') or be an argument of a matrix function"),
        errors(head + "logp += sum(X) + sum(b);", DATA));
    assertEquals(List.of("6:9: 'X' is a matrix (3 x 2) where a scalar or a vector is expected: it can multiply a vector ('X * v') or be an argument of a matrix function"),
        errors(head + "let A = X + 1;\nlogp += sum(b);", DATA));
    // a let may name a data matrix, which then multiplies vectors as the matrix does
    assertEquals(List.of(), errors(head + "let A = X;\nlogp += sum(A * [b[0], b[1]]);", DATA));
  }

  @Test
  void checkedModelsRefuseToCompileWithoutTheirData() {
    CompileException e = assertThrows(CompileException.class,
        () -> FrontEnd.check(new SourceFile("m.flow", "model m {\n data int N;\n param a[N];\n a ~ normal(0, 1);\n}\n")));
    assertEquals(1, e.diagnostics().size());
    Diagnostic d = e.diagnostics().get(0);
    assertEquals(2, d.span().line()); // 'data int N;' on the model's second line
  }
}
