package io.flowc.compiler.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.data.DataSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which argument of which call is outside its domain, worded as Stan words it. */
class DomainDiagnosisTest {
  private static CheckedModel model(String text, Map<String, DataSet.Value> data) {
    try {
      FrontEnd.Analysis a = FrontEnd.analyze(new SourceFile("m.flow", text),
          data == null ? null : new DataSet("d.json", data));
      if (!a.ok()) {
        throw new CompileException(a.diagnostics());
      }
      return a.model();
    } catch (CompileException e) {
      throw new AssertionError(e.render(), e);
    }
  }

  private static DataSet.Value vector(double... x) {
    return new DataSet.Value(new int[] {x.length}, x);
  }

  private static DataSet.Value scalar(double x) {
    return new DataSet.Value(new int[0], new double[] {x});
  }

  @Test
  void aNegativeScaleInTheDataIsFoundOnceBound() {
    CheckedModel m = model("model m {\n  data int J;\n  data real y[J];\n  data real sigma[J];\n  param mu;\n"
        + "  y ~ normal(mu, sigma);\n}\n", Map.of("J", scalar(3), "y", vector(1, 2, 3), "sigma", vector(1, 2, -18)));
    DomainDiagnosis.Violation v = new DomainDiagnosis(m).inData();
    assertEquals("normal_lpdf: Scale parameter[2] is -18, but must be positive! (in m.flow:6:3)", v.message());
    assertEquals("sigma", v.variable());
  }

  @Test
  void parameterArgumentsAreNotDataErrors() {
    CheckedModel m = model("model m { param s; param mu; 1.5 ~ normal(mu, s); }", null);
    DomainDiagnosis d = new DomainDiagnosis(m);
    assertNull(d.inData());
    assertEquals("normal_lpdf: Scale parameter is -0.5, but must be positive! (in m.flow:1:30)",
        d.at(new double[] {-0.5, 0}).message());
    assertNull(d.at(new double[] {0.5, 0}));
  }

  @Test
  void countsAndProbabilities() {
    CheckedModel m = model("model m { data real n[2]; param a; n ~ poisson_log(a); }", Map.of("n", vector(2, -1)));
    assertEquals("poisson_log_lpmf: Random variable[1] is -1, but must be a nonnegative integer! (in m.flow:1:36)",
        new DomainDiagnosis(m).inData().message());
    CheckedModel b = model("model m { data real p; param a > 0; p ~ beta(a, 2); }", Map.of("p", scalar(1.5)));
    assertEquals("beta_lpdf: Random variable is 1.5, but must be in the interval [0, 1] (in m.flow:1:37)",
        new DomainDiagnosis(b).inData().message());
    CheckedModel t = model("model m { data real n; data real k; param a; n ~ binomial_logit(k, a); }",
        Map.of("n", scalar(7), "k", scalar(5)));
    assertEquals("binomial_logit_lpmf: Successes variable is 7, but must be in the interval [0, 5]",
        new DomainDiagnosis(t).inData().message().replaceFirst(" \\(in .*", ""));
  }

  @Test
  void theFunctionThatMadeTheNanIsNamed() {
    CheckedModel m = model("model m { param x; let s = log(x); 0 ~ normal(0, s); }", null);
    assertEquals("log: Argument is -2, but must be nonnegative! (in m.flow:1:28)",
        new DomainDiagnosis(m).at(new double[] {-2}).message());
  }

  @Test
  void aBranchNotTakenIsNotBlamed() {
    CheckedModel m = model("model m { param x; logp += x > 0 ? log(x) : -x; 0 ~ normal(0, x); }", null);
    DomainDiagnosis.Violation v = new DomainDiagnosis(m).at(new double[] {-2});
    assertEquals("normal_lpdf: Scale parameter is -2, but must be positive! (in m.flow:1:49)", v.message());
  }

  @Test
  void dataUnderAParameterDependentConditionalIsNotCheckedAtBinding() {
    CheckedModel m = model("model m { data real s; param x; logp += x > 0 ? normal_lpdf(x, 0, s) : 0; }",
        Map.of("s", scalar(-1)));
    assertNull(new DomainDiagnosis(m).inData());
  }
}
