package io.flowc.runtime.many;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.runtime.LogDensity;
import io.flowc.runtime.ParameterLayout;
import io.flowc.runtime.data.DataException;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import io.flowc.runtime.flow.FlowFormulas;
import io.flowc.runtime.flow.FlowKind;
import io.flowc.runtime.nuts.NutsSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The engine over a hand-written model (y[i] ~ normal(mu, 1), mu ~ normal(0, 10)): seeds, order
 * and thread-count independence, and sets that fail without stopping the others.
 */
class ManyFitsTest {
  /** log p of the model above; the data's 'y' read when bound, so missing data is bad data. */
  private static final class NormalMean implements LogDensity {
    private final double[] y;

    NormalMean(DataSet data) {
      DataSet.Value v = data.get("y");
      if (v == null || v.dims().length != 1) {
        throw new DataException("'y' is missing from " + data.source() + " (the model declares real y[N])");
      }
      y = v.elements();
      if (y.length == 13) {
        throw new IllegalStateException("unlucky\nthirteen");
      }
    }

    @Override
    public int dimension() {
      return 1;
    }

    @Override
    public int workspaceSize() {
      return 0;
    }

    @Override
    public double logDensity(double[] z, double[] workspace) {
      double lp = -0.5 * z[0] * z[0] / 100;
      for (double v : y) {
        lp -= 0.5 * (v - z[0]) * (v - z[0]);
      }
      return lp;
    }

    @Override
    public double logDensityGradient(double[] z, double[] gradient, double[] workspace) {
      double g = -z[0] / 100;
      for (double v : y) {
        g += v - z[0];
      }
      gradient[0] = g;
      return logDensity(z, workspace);
    }
  }

  private static final ModelClasses MODEL = ModelClasses.of(new ParameterLayout(List.of(new ParameterLayout.Parameter("mu", 0))),
      formula -> {
        throw new IllegalArgumentException("no flows");
      }, NormalMean::new, (formula, data) -> {
        throw new IllegalArgumentException("no flows");
      });

  private static ManyFits nuts(DataSet common) {
    NutsSettings settings = NutsSettings.defaults().withChains(1).withDraws(100).withTune(100).withThreads(7);
    return ManyFits.of(MODEL, common, new FitMethod.Nuts(settings), 7);
  }

  private static DataSetInput set(String id, String json) {
    return new DataSetInput(id, StanJson.parse(json, "set " + id));
  }

  private static List<DataSetInput> sets() {
    List<DataSetInput> sets = new ArrayList<>();
    Random random = new Random(1);
    for (int k = 0; k < 8; k++) {
      StringBuilder y = new StringBuilder();
      for (int i = 0; i <= k; i++) {
        y.append(i == 0 ? "" : ", ").append(k + random.nextGaussian());
      }
      sets.add(set("g" + k, "{\"y\": [" + y + "]}"));
    }
    sets.add(3, set("no-y", "{\"x\": [1, 2]}"));
    sets.add(5, set("thirteen", "{\"y\": [1,1,1,1,1,1,1,1,1,1,1,1,1]}"));
    return sets;
  }

  /** The first 8 bytes of SHA-256(baseSeed as 8 big-endian bytes, then the id's UTF-8 bytes), as Python's hashlib gives them. */
  @Test
  void seedsAreAStableHashOfBaseSeedAndId() {
    assertEquals(-3286339847445387308L, ManyFits.seedOf(0, "0"));
    assertEquals(9113182634968082757L, ManyFits.seedOf(42, "store-17"));
    assertEquals(-5685258186221656211L, ManyFits.seedOf(-1, "\u00e9"));
  }

  @Test
  void resultsAreTheSameBitsForAnyThreadCountAndOrder() {
    ManyFits engine = nuts(new DataSet("none", Map.of()));
    List<DataSetInput> sets = sets();
    List<String> one = engine.fitAll(sets.stream(), 1).map(ManyFitsTest::bits).toList();
    assertEquals(sets.stream().map(DataSetInput::id).toList(), engine.fitAll(sets.stream(), 3).map(SetResult::id).toList());
    assertEquals(one, engine.fitAll(sets.stream(), 2).map(ManyFitsTest::bits).toList());
    assertEquals(one, engine.fitAll(sets.stream(), 3).map(ManyFitsTest::bits).toList());
    List<DataSetInput> shuffled = new ArrayList<>(sets);
    Collections.shuffle(shuffled, new Random(3));
    Map<String, String> byId = engine.fitAll(shuffled.stream(), 2).collect(Collectors.toMap(SetResult::id, ManyFitsTest::bits));
    assertEquals(one, sets.stream().map(s -> byId.get(s.id())).toList());
  }

  @Test
  void aBadSetGetsItsStatusAndTheOthersGoOn() {
    List<SetResult> results = nuts(new DataSet("none", Map.of())).fitAll(sets().stream(), 2).toList();
    assertEquals(10, results.size());
    SetResult missing = results.get(3);
    assertEquals(SetResult.BAD_DATA, missing.status());
    assertTrue(missing.message().contains("'y' is missing from set no-y"), missing.message());
    assertTrue(missing.parameters().isEmpty());
    SetResult thrown = results.get(5);
    assertEquals(SetResult.FAILED, thrown.status());
    assertEquals("IllegalStateException: unlucky thirteen", thrown.message());
    assertEquals(8, results.stream().filter(SetResult::ok).count());
    SetResult last = results.get(9);
    assertEquals("mu", last.parameters().get(0).name());
    assertEquals(7, last.parameters().get(0).mean(), 1);
    assertEquals(ManyFits.seedOf(7, "g7"), last.seed());
    assertTrue(last.essBulk() > 10 && last.rHat() < 1.1, last.toString());
  }

  @Test
  void aChainThatCannotStartIsNotFinite() {
    SetResult r = nuts(new DataSet("none", Map.of())).fit(set("huge", "{\"y\": [1, 1e200]}"));
    assertEquals(SetResult.NOT_FINITE, r.status(), r.toString());
    assertTrue(r.parameters().isEmpty());
  }

  @Test
  void theCommonDataMayRepeatAValueButNotChangeIt() {
    ManyFits engine = nuts(StanJson.parse("{\"y\": [1, 2]}", "common.json"));
    assertEquals(SetResult.OK, engine.fit(set("same", "{\"y\": [1, 2]}")).status());
    assertEquals(SetResult.OK, engine.fit(set("none", "{}")).status());
    SetResult other = engine.fit(set("other", "{\"y\": [1, 3]}"));
    assertEquals(SetResult.BAD_DATA, other.status());
    assertEquals("'y' is in the common data (common.json) and in set other with another value", other.message());
  }

  @Test
  void formulasAreReadAsArtifactsRecordThem() {
    assertEquals(List.of(FlowKind.SCALE, FlowKind.HH, FlowKind.HH, FlowKind.HH, FlowKind.LOC),
        FlowFormulas.flows("Scale - HH*3 - loc").stream().map(io.flowc.runtime.flow.FlowSpec::kind).toList());
    assertEquals("scale-hh*3-loc-nsf(bins=4)", FlowFormulas.normalize("Scale - HH*03 - loc-nsf(bound=5,bins=4)"));
    assertThrows(IllegalArgumentException.class, () -> FlowFormulas.flows("scale-hh*0"));
    assertThrows(IllegalArgumentException.class, () -> FlowFormulas.flows("warp"));
  }

  /** Everything of a result but its time, exactly. */
  private static String bits(SetResult r) {
    StringBuilder s = new StringBuilder(r.id()).append('|').append(r.status()).append('|').append(r.message())
        .append('|').append(r.seed());
    for (ParameterRow p : r.parameters()) {
      s.append('|').append(p);
    }
    return s.append('|').append(r.essBulk()).append('|').append(r.rHat()).append('|').append(r.divergences())
        .toString();
  }
}
