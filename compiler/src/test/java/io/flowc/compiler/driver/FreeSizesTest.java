package io.flowc.compiler.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.interp.Interpreter;
import io.flowc.runtime.Artifact;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.data.DataException;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import io.flowc.runtime.flow.FlowKernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sizes bound at run time: a model compiled once (an artifact, with free sizes) takes data with
 * other row counts, and computes what the reference interpreter computes on those data, bit for
 * bit what a model compiled for them computes.
 */
class FreeSizesTest {
  @TempDir
  Path dir;

  private static CheckedModel check(String text, DataSet data) throws Exception {
    return FrontEnd.check(new SourceFile("m.flow", text), data);
  }

  private static String encodedLayout(String text, String json) throws Exception {
    return Compilation.freeSizes(check(text, StanJson.parse(json, "d.json"))).dataLayout().encode();
  }

  @Test
  void sizesThatOnlyCountRowsAreFreeAndOthersFixed() throws Exception {
    String rows = "{\"N\": 3, \"y\": [1, 2, 3], \"x\": [0, 1, 2]}";
    assertEquals("N:int:,y:real:N,x:real:N",
        encodedLayout("model m { data int N; data real y[N]; data real x[N]; param a; y ~ normal(a * x, 1); }", rows));
    // a parameter's size, a matrix's column count: fixed
    assertEquals("J:int:=3,y:real:3,x:real:3",
        encodedLayout("model m { data int J; data real y[J]; data real x[J]; param t[J]; y ~ normal(t, 1); }",
            rows.replace("N", "J")));
    assertEquals("N:int:,K:int:=2,X:real:Nx2",
        encodedLayout("model m { data int N; data int K; data real X[N, K]; param b[K]; potential sum(square(X * b)); }",
            "{\"N\": 3, \"K\": 2, \"X\": [[1, 2], [3, 4], [5, 6]]}"));
    // a literal index into data leaves the size free, at least as large as the index needs
    assertEquals("N:int:,y:real:N,x:real:N",
        encodedLayout("model m { data int N; data real y[N]; data real x[N]; param a; potential square(y[0] - a); }", rows));
    assertEquals(">N:3:it reads 'y[2]',N:int:,y:real:N,x:real:N",
        encodedLayout("model m { data int N; data real y[N]; data real x[N]; param a; potential square(y[2] - a); }", rows));
    // uses that need a fixed length fix the size: a mix with a fixed-length vector
    assertEquals("N:int:=3,y:real:3,x:real:3",
        encodedLayout("model m { data int N; data real y[N]; data real x[N]; param a; "
            + "potential sum(square(y - [a, 2 * a, 3 * a])); }", rows));
    // a data vector indexed by data: its length bounds the index values, so it is fixed
    assertEquals("#i:-1:3,N:int:=3,y:real:3,i:int:3",
        encodedLayout("model m { data int N; data real y[N]; data int i[N]; param a; potential sum(square(y[i - 1] - a)); }",
            "{\"N\": 3, \"y\": [1, 2, 3], \"i\": [3, 1, 2]}"));
    // two sizes whose vectors meet: both fixed; mean() reads the size from the data
    assertEquals("N:int:=3,M:int:=3,y:real:3,x:real:3",
        encodedLayout("model m { data int N; data int M; data real y[N]; data real x[M]; param a; "
            + "potential sum(square(y + x - a)); }", "{\"N\": 3, \"M\": 3, \"y\": [1, 2, 3], \"x\": [0, 1, 2]}"));
    assertEquals("N:int:,y:real:N,x:real:N",
        encodedLayout("model m { data int N; data real y[N]; data real x[N]; param a; potential square(mean(y) - a); }",
            rows));
  }

  /** The first {@code n} rows of data whose rows {@code size} counts (repeated cyclically beyond the given ones). */
  static DataSet rows(DataSet data, CheckedModel free, int n) {
    Map<String, DataSet.Value> out = new LinkedHashMap<>(data.values());
    Map<String, String> rowSizes = free.sizes().rowSizes();
    for (var v : free.dataLayout().variables()) {
      if (!v.isDynamic()) {
        continue;
      }
      DataSet.Value value = data.get(v.name());
      int given = value.dims()[0];
      int cols = value.dims().length == 2 ? value.dims()[1] : 1;
      double[] e = new double[n * cols];
      for (int r = 0; r < n; r++) {
        System.arraycopy(value.elements(), (r % given) * cols, e, r * cols, cols);
      }
      int[] dims = value.dims();
      dims[0] = n;
      out.put(v.name(), new DataSet.Value(dims, e));
      out.put(rowSizes.get(v.name()), new DataSet.Value(new int[0], new double[] {n}));
    }
    return new DataSet("rows.json", out);
  }

  @ParameterizedTest
  @ValueSource(strings = {"kidiq_interaction", "kidiq_standardized", "sblrc_blr", "earnings", "earnings_standardized",
      "hierarchical"})
  void anArtifactTakesDataOfOtherSizes(String name) throws Exception {
    Path file = TestPaths.example(name);
    // one row has no spread to standardize by
    checkArtifact(name, Files.readString(file), TestPaths.exampleData(file), name.endsWith("standardized") ? 2 : 1);
  }

  /**
   * posteriordb's time series with T free: their loops' counts are read at run time, from the
   * shortest series the model takes (a loop from 1, or from K = 5, runs at least once) on.
   */
  @ParameterizedTest
  @ValueSource(strings = {"arma11", "garch11", "arK"})
  void anArtifactOfATimeSeriesTakesSeriesOfOtherLengths(String name) throws Exception {
    Path file = TestPaths.example(name);
    checkArtifact(name, Files.readString(file), TestPaths.exampleData(file), name.equals("arK") ? 6 : 2);
  }

  /** Every distribution and every vector op over vectors of a free size. */
  private static final String EVERY_OP = """
      model ops {
        data int N;
        data real x[N];
        data real y[N];
        data int k[N];
        data int t[N];
        data int on[N];
        data int g[N];
        param a;
        param b;
        param s > 0;
        param nu in (1, 30);
        param theta[3];
        let mu = a + b * x;
        y ~ normal(mu, s);
        y ~ student_t(nu, mu, s);
        y ~ cauchy(mu, s);
        exp(x) ~ lognormal(mu, s);
        exp(x) ~ exponential(s);
        exp(x) ~ gamma(nu, s);
        sigmoid(x) ~ beta(nu, s + 1);
        k ~ poisson_log(mu / 4);
        k ~ binomial_logit(t, mu / 4);
        on ~ bernoulli_logit(mu);
        theta ~ normal(0, 1);
        logp += -square(logsumexp(mu) - 2) + dot(x, mu) / N - square(mean(y * mu));
        logp += normal_lpdf(y, theta[g - 1] + (x > 0 ? a : b), 2);
        potential sum(abs(y - mu) ^ 1.5) / N + norm(mu - y) / N + max(a, b) ^ 2;
      }
      """;

  @Test
  void everyOpOverAFreeSizeAgreesWithTheInterpreterAndWithFixedSizes() throws Exception {
    Random random = new Random(11);
    int n = 40;
    double[] x = new double[n];
    double[] y = new double[n];
    double[] k = new double[n];
    double[] t = new double[n];
    double[] on = new double[n];
    double[] g = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = random.nextGaussian();
      y[i] = 1 + 0.5 * x[i] + random.nextGaussian();
      t[i] = 3 + random.nextInt(5);
      k[i] = random.nextInt((int) t[i] + 1);
      on[i] = random.nextInt(2);
      g[i] = 1 + random.nextInt(3);
    }
    Map<String, DataSet.Value> values = new LinkedHashMap<>();
    values.put("N", new DataSet.Value(new int[0], new double[] {n}));
    for (Map.Entry<String, double[]> e : Map.of("x", x, "y", y, "k", k, "t", t, "on", on, "g", g).entrySet()) {
      values.put(e.getKey(), new DataSet.Value(new int[] {n}, e.getValue()));
    }
    checkArtifact("ops", EVERY_OP, new DataSet("ops.json", values), 1);
  }

  /**
   * Compiles {@code text} once into an artifact with free sizes, binds it to data of
   * {@code fewest}, 5 (or one more than fewest) and 2n + 3 rows, and compares it with the interpreter and, bit for bit, with the model compiled
   * for each of those data (values, gradients, a flow's loss and gradient).
   */
  private void checkArtifact(String name, String text, DataSet data, int fewest) throws Exception {
    CheckedModel free = Compilation.freeSizes(check(text, data));
    assertTrue(free.dataLayout().isDynamic(), free.dataLayout().encode());
    Path jar = dir.resolve(name + ".jar");
    ArtifactWriter.write(free, List.of(FlowFormulaParsing.parse("scale-loc")), jar);
    Artifact artifact = Artifact.open(jar);
    LogDensity compiledOnce = artifact.logDensity();
    FlowKernel flowOnce = artifact.flowKernel("scale-loc");
    Random random = new Random(7);
    int given = (int) data.get(free.sizes().rowSizes().values().iterator().next()).elements()[0];
    for (int n : new int[] {fewest, Math.max(5, fewest + 1), 2 * given + 3}) {
      DataSet other = rows(data, free, n);
      var binding = artifact.bind(artifact.dataLayout().pack(other));
      LogDensity bound = binding.bind(compiledOnce);
      CheckedModel fixed = check(text, other);
      LogDensity specialized = Compilation.load(fixed);
      Interpreter reference = new Interpreter(fixed);
      int d = bound.dimension();
      double[] work = new double[bound.workspaceSize()];
      for (int k = 0; k < 3; k++) {
        double[] z = new double[d];
        for (int i = 0; i < d; i++) {
          z[i] = 0.5 * random.nextGaussian();
        }
        double[] g1 = new double[d];
        double[] g2 = new double[d];
        double v1 = bound.logDensityGradient(z, g1, work);
        double v2 = specialized.logDensityGradient(z, g2, new double[specialized.workspaceSize()]);
        String where = name + " with " + n + " rows at point " + k;
        assertEquals(Double.doubleToLongBits(v2), Double.doubleToLongBits(v1), where);
        for (int i = 0; i < d; i++) {
          assertEquals(Double.doubleToLongBits(g2[i]), Double.doubleToLongBits(g1[i]), where + ", gradient " + i);
        }
        assertEquals(Double.doubleToLongBits(v1), Double.doubleToLongBits(bound.logDensity(z, work)), where);
        double expected = reference.logp(z);
        assertEquals(expected, v1, 1e-11 * Math.max(1, Math.abs(expected)), where + " vs interpreter");
      }
      FlowKernel flow = binding.bind(flowOnce);
      FlowKernel flowSpecialized = Compilation.loadFlow(fixed, FlowFormulaParsing.parse("scale-loc"));
      double[] theta = new double[flow.parameterCount()];
      for (int i = 0; i < theta.length; i++) {
        theta[i] = 0.1 * random.nextGaussian();
      }
      double[] eps = new double[4 * d];
      for (int i = 0; i < eps.length; i++) {
        eps[i] = random.nextGaussian();
      }
      double[] h1 = new double[theta.length];
      double[] h2 = new double[theta.length];
      double l1 = flow.lossGradient(theta, eps, 4, h1, new double[flow.workspaceSize()]);
      double l2 = flowSpecialized.lossGradient(theta, eps, 4, h2, new double[flowSpecialized.workspaceSize()]);
      assertEquals(Double.doubleToLongBits(l2), Double.doubleToLongBits(l1), name + " flow loss with " + n + " rows");
      for (int i = 0; i < theta.length; i++) {
        assertEquals(Double.doubleToLongBits(h2[i]), Double.doubleToLongBits(h1[i]), name + " flow gradient " + i);
      }
    }
  }

  @Test
  void oneWorkspaceServesBindingsOfDifferentSizesInTurn() throws Exception {
    Path file = TestPaths.example("kidiq_interaction");
    CheckedModel free = Compilation.freeSizes(TestPaths.checkExample(file));
    Path jar = dir.resolve("k.jar");
    ArtifactWriter.write(free, jar);
    Artifact artifact = Artifact.open(jar);
    LogDensity model = artifact.logDensity();
    DataSet data = TestPaths.exampleData(file);
    LogDensity small = artifact.bind(artifact.dataLayout().pack(rows(data, free, 10))).bind(model);
    LogDensity large = artifact.bind(artifact.dataLayout().pack(rows(data, free, 400))).bind(model);
    double[] z = {1, 0.5, 0.2, -0.1, 2};
    double[] work = new double[Math.max(small.workspaceSize(), large.workspaceSize())];
    double a = small.logDensity(z, work);
    double b = large.logDensity(z, work);
    assertEquals(a, small.logDensity(z, work));
    assertEquals(b, large.logDensity(z, work));
    assertTrue(a != b);
  }

  @Test
  void dataThatDoNotFitTheFreeSizesAreRefusedNamingTheVariable() throws Exception {
    Path file = TestPaths.example("hierarchical");
    CheckedModel free = Compilation.freeSizes(TestPaths.checkExample(file));
    assertEquals("#group:-1:4,N:int:,J:int:=4,group:int:N,y:real:N", free.dataLayout().encode());
    var layout = free.dataLayout();
    DataException shape = assertThrows(DataException.class, () -> layout.pack(StanJson.parse(
        "{\"N\": 3, \"J\": 4, \"group\": [1, 2], \"y\": [1, 2, 3]}", "d.json")));
    assertTrue(shape.getMessage().contains("'group' is an array of 2 in d.json; the model declares int group[N] (int group[3])"),
        shape.getMessage());
    DataException zero = assertThrows(DataException.class, () -> layout.pack(StanJson.parse(
        "{\"N\": 0, \"J\": 4, \"group\": [], \"y\": []}", "d.json")));
    assertTrue(zero.getMessage().contains("'N' is 0.0 in d.json; it is the size of ['group', 'y'] and must be at least 1"),
        zero.getMessage());
    DataException index = assertThrows(DataException.class, () -> layout.pack(StanJson.parse(
        "{\"N\": 2, \"J\": 4, \"group\": [1, 5], \"y\": [1, 2]}", "d.json")));
    assertTrue(index.getMessage().contains("'group' holds 5 at element 1"), index.getMessage());
    DataException fixed = assertThrows(DataException.class, () -> layout.pack(StanJson.parse(
        "{\"N\": 2, \"J\": 3, \"group\": [1, 2], \"y\": [1, 2]}", "d.json")));
    assertTrue(fixed.getMessage().contains("the model was compiled with J = 4"), fixed.getMessage());
  }
}
