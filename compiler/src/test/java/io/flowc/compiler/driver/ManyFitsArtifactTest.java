package io.flowc.compiler.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.Artifact;
import io.flowc.runtime.ArtifactException;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.many.DataSetInput;
import io.flowc.runtime.many.FitMethod;
import io.flowc.runtime.many.ManyFits;
import io.flowc.runtime.many.ParameterRow;
import io.flowc.runtime.many.SetOutcome;
import io.flowc.runtime.many.SetResult;
import io.flowc.runtime.nfvi.Draws;
import io.flowc.runtime.nfvi.Fit;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.nuts.NutsSettings;
import io.flowc.runtime.optim.Optimizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The many-fits engine over a real artifact (examples/regression.flow, N free): each set bound
 * with its own row count, the same bits as a fit of the set alone, for any thread count and order.
 */
class ManyFitsArtifactTest {
  private static final String FORMULA = "scale-hh*3-loc";

  @TempDir
  static Path dir;

  private static Artifact artifact;

  private static Artifact artifact() throws Exception {
    if (artifact == null) {
      Path model = TestPaths.repoRoot().resolve("examples/regression.flow");
      DataSet first = StanJson.parse(Files.readAllLines(TestPaths.repoRoot().resolve("examples/regression-sets.jsonl"))
          .get(0).replaceFirst("^\\{\"id\": \"store-1\", \"data\": ", "").replaceFirst("}$", ""), "first");
      CheckedModel checked = Compilation.freeSizes(FrontEnd.check(new SourceFile(model.toString(),
          Files.readString(model)), first));
      Path jar = dir.resolve("regression.jar");
      ArtifactWriter.write(checked, List.of(FlowFormulaParsing.parse(FORMULA)), jar);
      artifact = Artifact.open(jar);
    }
    return artifact;
  }

  private static FitMethod.Nfvi nfvi() {
    return new FitMethod.Nfvi(FORMULA, new Nfvi.Settings(400, Optimizers.byName("adam", 0.05), 1, 1, 0,
        Nfvi.Settings.NO_CLIPPING, List.of()), 2, 200);
  }

  /** Sets of 5 to 40 rows of y = 1 + 2x + noise, with a bad one (y one row short) third. */
  private static List<DataSetInput> sets() {
    Random random = new Random(11);
    List<DataSetInput> sets = new ArrayList<>();
    for (int k = 0; k < 6; k++) {
      int n = 5 + 7 * k;
      StringBuilder x = new StringBuilder();
      StringBuilder y = new StringBuilder();
      for (int i = 0; i < n; i++) {
        double xi = random.nextDouble() * 4 - 2;
        x.append(i == 0 ? "" : ",").append(xi);
        if (!(k == 2 && i == n - 1)) {
          y.append(i == 0 ? "" : ",").append(1 + 2 * xi + 0.5 * random.nextGaussian());
        }
      }
      sets.add(new DataSetInput("s" + k, StanJson.parse("{\"N\": " + n + ", \"x\": [" + x + "], \"y\": [" + y + "]}",
          "s" + k + ".json")));
    }
    return sets;
  }

  @Test
  void nfviResultsAreTheSameBitsForAnyThreadCountAndOrder() throws Exception {
    ManyFits engine = ManyFits.of(artifact(), new DataSet("none", Map.of()), nfvi(), 3).withEvalDraws(200);
    List<DataSetInput> sets = sets();
    List<String> one = engine.fitAll(sets.stream(), 1).map(ManyFitsArtifactTest::bits).toList();
    assertEquals(one, engine.fitAll(sets.stream(), 2).map(ManyFitsArtifactTest::bits).toList());
    assertEquals(one, engine.fitAll(sets.stream(), 3).map(ManyFitsArtifactTest::bits).toList());
    List<DataSetInput> shuffled = new ArrayList<>(sets);
    Collections.shuffle(shuffled, new Random(2));
    List<String> reordered = engine.fitAll(shuffled.stream(), 2).map(ManyFitsArtifactTest::bits).toList();
    assertEquals(shuffled.stream().map(s -> one.get(sets.indexOf(s))).toList(), reordered);
    assertTrue(one.get(2).startsWith("s2|bad_data|'y' is an array of 18 in s2.json; the model declares real y[N] "
        + "(real y[19])|"), one.get(2));
  }

  /** A set's fit is the fit `flowc fit --seed S --restarts R --eval-draws E` makes of its data alone. */
  @Test
  void aSetsFitIsTheFitOfItsDataAlone() throws Exception {
    ManyFits engine = ManyFits.of(artifact(), new DataSet("none", Map.of()), nfvi(), 3).withEvalDraws(200);
    DataSetInput set = sets().get(4);
    SetOutcome outcome = engine.fitWithDraws(set);
    SetResult result = outcome.result();
    assertEquals(SetResult.OK, result.status(), result.message());
    assertEquals(List.of("alpha", "beta", "sigma"), outcome.elementNames());

    Artifact a = artifact();
    var binding = a.bind(a.dataLayout().pack(set.data()));
    FlowLayout layout = FlowLayout.ofFlows(FlowFormulaParsing.parse(FORMULA).flows(), 3);
    Nfvi alone = new Nfvi(binding.bind(a.flowKernel(FORMULA)), binding.bind(a.logDensity()), layout);
    double bestLoss = Double.POSITIVE_INFINITY;
    double[] best = null;
    long bestSeed = 0;
    for (int r = 0; r < 2; r++) {
      long seed = io.flowc.runtime.nfvi.Restart.seedOf(ManyFits.seedOf(3, "s4"), r);
      Fit fit = alone.fit(new Nfvi.Settings(400, Optimizers.byName("adam", 0.05), 1, 1, seed,
          Nfvi.Settings.NO_CLIPPING, List.of()));
      double loss = alone.evaluate(fit.parameters(), 200, seed).finalLoss();
      if (loss < bestLoss) {
        bestLoss = loss;
        best = fit.parameters();
        bestSeed = seed;
      }
    }
    assertEquals(bestLoss, result.finalLoss());
    Nfvi.Sample sample = alone.sample(best, 200, bestSeed, Draws.SAMPLE);
    double[] sigma = new double[200];
    double[] constrained = new double[3];
    for (int s = 0; s < 200; s++) {
      a.layout().constrain(sample.row(s), constrained);
      sigma[s] = constrained[2];
    }
    assertArrayEquals(sigma, outcome.draws()[2]);
    ParameterRow beta = result.parameters().get(1);
    assertEquals(2, beta.mean(), 0.3);
    assertTrue(result.parameters().get(2).q5() > 0, "sigma on its constrained scale");
  }

  /** A loss that overflows stops the set's fit (every restart's) with the reason; N = 0 rows is bad data. */
  @Test
  void aLossThatIsNotFiniteAndARowCountOfZeroAreTheSetsStatus() throws Exception {
    ManyFits engine = ManyFits.of(artifact(), new DataSet("none", Map.of()), nfvi(), 3).withEvalDraws(200);
    SetResult huge = engine.fit(new DataSetInput("huge", StanJson.parse("{\"N\": 2, \"x\": [1, 2], \"y\": [1e300, -1e300]}",
        "huge.json")));
    assertEquals(SetResult.NOT_FINITE, huge.status(), huge.toString());
    assertTrue(huge.message().startsWith("no restart succeeded; restart 1: the loss is Infinity at iteration 1"),
        huge.message());
    SetResult empty = engine.fit(new DataSetInput("empty", StanJson.parse("{\"N\": 0, \"x\": [], \"y\": []}",
        "empty.json")));
    assertEquals(SetResult.BAD_DATA, empty.status(), empty.toString());
    assertTrue(empty.message().contains("'N' is 0.0 in empty.json; it is the size of"), empty.message());
  }

  @Test
  void nutsRunsOneChainPerSetWithTheSetsSeed() throws Exception {
    NutsSettings settings = NutsSettings.defaults().withChains(1).withDraws(150).withTune(150);
    ManyFits engine = ManyFits.of(artifact(), new DataSet("none", Map.of()), new FitMethod.Nuts(settings), 5);
    List<DataSetInput> sets = sets().subList(3, 6);
    List<String> one = engine.fitAll(sets.stream(), 1).map(ManyFitsArtifactTest::bits).toList();
    assertEquals(one, engine.fitAll(sets.stream(), 2).map(ManyFitsArtifactTest::bits).toList());
    SetResult r = engine.fit(sets.get(2));
    assertEquals(SetResult.OK, r.status(), r.message());
    assertTrue(r.essBulk() > 20 && r.rHat() < 1.1 && Double.isNaN(r.finalLoss()), r.toString());
    assertEquals(2, r.parameters().get(1).mean(), 0.3);
  }

  @Test
  void aFormulaNotCompiledInIsRefusedWithTheOnesThatAre() throws Exception {
    FitMethod.Nfvi planar = new FitMethod.Nfvi("planar*2", nfvi().settings(), 1, 10);
    ArtifactException e = assertThrows(ArtifactException.class,
        () -> ManyFits.of(artifact(), new DataSet("none", Map.of()), planar, 0));
    assertTrue(e.getMessage().contains("has no compiled flow 'planar*2' (it has: scale-hh*3-loc)"), e.getMessage());
  }

  /** Everything of a result but its time, exactly. */
  static String bits(SetResult r) {
    StringBuilder s = new StringBuilder(r.id()).append('|').append(r.status()).append('|').append(r.message())
        .append('|').append(r.seed());
    for (ParameterRow p : r.parameters()) {
      s.append('|').append(p);
    }
    return s.append('|').append(r.finalLoss()).append('|').append(r.paretoK()).append('|').append(r.essBulk())
        .append('|').append(r.rHat()).append('|').append(r.divergences()).toString();
  }
}
