package io.flowc.compiler.nfvi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.data.DataBinding;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.nfvi.Draws;
import io.flowc.runtime.nfvi.Fit;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.optim.Optimizers;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Minibatches: at fixed flow parameters and base draws, the mean of the batch gradient over many
 * batches is the gradient on all rows (terms over rows scaled by N/B, priors not), and a
 * minibatch fit of a logistic regression lands on the posterior.
 */
class MinibatchTest {
  static final String REGRESSION = """
      model regression {
        data int N;
        data real X[N, 2];
        data real y[N];
        param alpha;
        param beta[2];
        param sigma > 0;
        alpha ~ normal(3, 0.5);
        beta ~ normal(0, 1);
        sigma ~ exponential(1);
        y ~ normal(alpha + X * beta, sigma);
      }
      """;

  static final String HIERARCHICAL = """
      model hierarchical {
        data int N;
        data int J;
        data int group[N];
        data real y[N];
        param mu;
        param tau > 0;
        param theta[J];
        param sigma > 0;
        mu ~ normal(2, 0.3);
        tau ~ cauchy(0, 2.5);
        sigma ~ exponential(1);
        theta ~ normal(mu, tau);
        y ~ normal(theta[group - 1], sigma);
      }
      """;

  static final String LOGISTIC = """
      model logistic {
        data int N;
        data int K;
        data real X[N, K];
        data int y[N];
        param alpha;
        param beta[K];
        alpha ~ normal(0, 2.5);
        beta ~ normal(0, 2.5);
        y ~ bernoulli_logit(alpha + X * beta);
      }
      """;

  static DataSet.Value scalar(double x) {
    return new DataSet.Value(new int[0], new double[] {x});
  }

  static DataSet.Value vector(double[] x) {
    return new DataSet.Value(new int[] {x.length}, x);
  }

  static DataSet regressionData(int n) {
    SplittableRandom r = new SplittableRandom(11);
    double[] x = new double[n * 2];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[2 * i] = r.nextGaussian();
      x[2 * i + 1] = r.nextGaussian();
      y[i] = 1 + 0.5 * x[2 * i] - x[2 * i + 1] + 0.7 * r.nextGaussian();
    }
    Map<String, DataSet.Value> m = new LinkedHashMap<>();
    m.put("N", scalar(n));
    m.put("X", new DataSet.Value(new int[] {n, 2}, x));
    m.put("y", vector(y));
    return new DataSet("regression.json", m);
  }

  static DataSet hierarchicalData(int n, int j) {
    SplittableRandom r = new SplittableRandom(12);
    double[] group = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      group[i] = 1 + i % j;
      y[i] = group[i] - 2 + r.nextGaussian();
    }
    Map<String, DataSet.Value> m = new LinkedHashMap<>();
    m.put("N", scalar(n));
    m.put("J", scalar(j));
    m.put("group", vector(group));
    m.put("y", vector(y));
    return new DataSet("hierarchical.json", m);
  }

  /** A logistic regression of n rows and k standard normal predictors, coefficients from the seed. */
  static DataSet logisticData(int n, int k, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] beta = new double[k];
    for (int c = 0; c < k; c++) {
      beta[c] = r.nextDouble(-1, 1);
    }
    double[] x = new double[n * k];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double eta = -0.5;
      for (int c = 0; c < k; c++) {
        x[i * k + c] = r.nextGaussian();
        eta += beta[c] * x[i * k + c];
      }
      y[i] = r.nextDouble() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
    }
    Map<String, DataSet.Value> m = new LinkedHashMap<>();
    m.put("N", scalar(n));
    m.put("K", scalar(k));
    m.put("X", new DataSet.Value(new int[] {n, k}, x));
    m.put("y", vector(y));
    return new DataSet("logistic.json", m);
  }

  static CheckedModel model(String text, DataSet data) throws Exception {
    return FrontEnd.check(new SourceFile("m.flow", text), data);
  }

  /**
   * The mean of the batch loss and gradient over {@code batches} batches against the values on all
   * rows: each within 4.5 standard errors. Priors scaled by N/B as well would move the mean by
   * (N/B - 1) times their gradient, which the strong priors of these models make many standard
   * errors.
   */
  static void assertUnbiased(CheckedModel model, String formulaText, int size, int batches) throws Exception {
    FlowFormula formula = FlowFormulaParsing.parse(formulaText);
    FlowLayout layout = FlowLayout.of(formula.flows(), model.dimension());
    FlowKernel full = Compilation.loadFlow(model, formula);
    Compilation.MinibatchFlow flow = Compilation.minibatchFlow(model, formula);
    DataBinding.Batches rows = flow.binding().batches(size);
    FlowKernel batch = rows.bind(flow.kernel());
    int p = layout.parameterCount();
    double[] theta = layout.initialParameters(0.3, 5);
    double[] eps = new double[4 * model.dimension()];
    Draws.normals(1, 2, eps, eps.length);
    double[] expected = new double[p + 1];
    double[] g = new double[p];
    expected[p] = full.lossGradient(theta, eps, 4, g, new double[full.workspaceSize()]);
    System.arraycopy(g, 0, expected, 0, p);
    double[] sum = new double[p + 1];
    double[] sumSquares = new double[p + 1];
    double[] work = new double[batch.workspaceSize()];
    int[] order = rows.newOrder();
    for (int b = 0; b < batches; b++) {
      rows.draw(order, Draws.rows(3, b), work);
      double loss = batch.lossGradient(theta, eps, 4, g, work);
      for (int k = 0; k <= p; k++) {
        double v = k == p ? loss : g[k];
        sum[k] += v;
        sumSquares[k] += v * v;
      }
    }
    double worst = 0;
    for (int k = 0; k <= p; k++) {
      double mean = sum[k] / batches;
      double se = Math.sqrt(Math.max(0, sumSquares[k] / batches - mean * mean) / batches);
      double z = Math.abs(mean - expected[k]) / Math.max(se, 1e-9 * (1 + Math.abs(expected[k])));
      worst = Math.max(worst, z);
      assertTrue(z < 4.5, (k == p ? "loss" : layout.elementNames().get(k)) + ": mean over batches " + mean
          + " +- " + se + ", on all rows " + expected[k]);
    }
    assertTrue(worst > 0.01, "the batch estimates vary");
  }

  @Test
  void theBatchGradientOfARegressionIsUnbiased() throws Exception {
    assertUnbiased(model(REGRESSION, regressionData(60)), "scale-hh*2-loc", 10, 4000);
  }

  @Test
  void theBatchGradientOfAHierarchicalModelIsUnbiased() throws Exception {
    assertUnbiased(model(HIERARCHICAL, hierarchicalData(48, 4)), "scale-hh*2-loc", 8, 4000);
  }

  @Test
  void aBatchOfAllButOneRowScalesOnlyTheRows() throws Exception {
    // batches of N - 1 rows: scale 12/11, nearly the whole data, so almost no batch noise; a prior
    // scaled with the rows would be off by 1/11 of its gradient, far beyond that noise
    CheckedModel model = model(HIERARCHICAL, hierarchicalData(12, 3));
    assertUnbiased(model, "loc", 11, 3000);
  }

  @Test
  void aMinibatchFitIsTheSameBitsOnEveryRun() throws Exception {
    CheckedModel model = model(REGRESSION, regressionData(200));
    FlowFormula formula = FlowFormulaParsing.parse("scale-loc");
    Compilation.MinibatchFlow flow = Compilation.minibatchFlow(model, formula);
    Nfvi nfvi = Nfvi.minibatch(flow.binding().batches(20), flow.kernel(), Compilation.load(model),
        FlowLayout.of(formula.flows(), model.dimension()));
    Nfvi.Settings settings = new Nfvi.Settings(300, Optimizers.byName("adam", 0.01), 1, 1.0, 4,
        Nfvi.Settings.NO_CLIPPING, List.of());
    Fit a = nfvi.fit(settings);
    Fit b = nfvi.fit(settings);
    assertArrayEquals(a.parameters(), b.parameters());
    assertArrayEquals(a.history(), b.history());
  }
}
