package io.flowc.compiler.driver;

import static io.flowc.compiler.nfvi.MinibatchTest.LOGISTIC;
import static io.flowc.compiler.nfvi.MinibatchTest.REGRESSION;
import static io.flowc.compiler.nfvi.MinibatchTest.model;
import static io.flowc.compiler.nfvi.MinibatchTest.regressionData;
import static io.flowc.compiler.nfvi.MinibatchTest.scalar;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.RowChunks;
import io.flowc.runtime.nuts.Nuts;
import io.flowc.runtime.nuts.NutsResult;
import io.flowc.runtime.nuts.NutsSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A log density split into chunks of rows: the same bits on 1 to 4 threads, the chunks summed in
 * chunk order, priors and log-Jacobians counted once (the split equals the unsplit model to
 * rounding), gradients against central differences, and NUTS draws that do not depend on the
 * threads.
 */
class RowChunksTest {

  /** A data mean inside a term: not a sum over rows, so chunks would not add up to the whole. */
  private static final String CENTERED = """
      model centered {
        data int N;
        data real y[N];
        param mu;
        mu ~ normal(0, 1);
        y ~ normal(mu + mean(y), 1);
      }
      """;

  private static DataSet logisticData(int n, int k) {
    SplittableRandom r = new SplittableRandom(5);
    double[] x = new double[n * k];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double eta = -0.5;
      for (int c = 0; c < k; c++) {
        x[i * k + c] = r.nextGaussian();
        eta += (c % 2 == 0 ? 0.5 : -0.3) * x[i * k + c];
      }
      y[i] = r.nextDouble() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
    }
    Map<String, DataSet.Value> m = new LinkedHashMap<>();
    m.put("N", scalar(n));
    m.put("K", scalar(k));
    m.put("X", new DataSet.Value(new int[] {n, k}, x));
    m.put("y", new DataSet.Value(new int[] {n}, y));
    return new DataSet("logistic.json", m);
  }

  private static double[] point(int dimension, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] z = new double[dimension];
    for (int k = 0; k < dimension; k++) {
      z[k] = r.nextDouble(-0.8, 0.8);
    }
    return z;
  }

  private static RowChunks chunks(CheckedModel model, int count) {
    RowChunks chunks = Compilation.rowChunks(model, count).orElseThrow();
    assertEquals(count, chunks.count());
    return chunks;
  }

  @Test
  void theSplitDensityIsTheUnsplitOneToRoundingWithPriorsCountedOnce() throws Exception {
    for (CheckedModel model : new CheckedModel[] {model(REGRESSION, regressionData(1001)),
        model(LOGISTIC, logisticData(999, 4))}) {
      LogDensity whole = Compilation.load(model);
      RowChunks chunks = chunks(model, 7);
      int d = whole.dimension();
      try (RowChunks.Lane lane = chunks.lane(1)) {
        for (long seed = 1; seed <= 3; seed++) {
          double[] z = point(d, seed);
          double[] expected = new double[d];
          double[] actual = new double[d];
          double lp = whole.logDensityGradient(z, expected, new double[whole.workspaceSize()]);
          double split = lane.logDensityGradient(z, actual, null);
          // a prior counted in every chunk would be off by 6 times itself, far beyond rounding
          assertEquals(lp, split, 1e-11 * Math.abs(lp), model.name());
          assertEquals(lp, lane.logDensity(z, null), 1e-11 * Math.abs(lp), model.name());
          for (int k = 0; k < d; k++) {
            assertEquals(expected[k], actual[k], 1e-10 * (1 + Math.abs(expected[k])), model.name() + " element " + k);
          }
        }
      }
    }
  }

  @Test
  void theSplitGradientAgreesWithCentralDifferences() throws Exception {
    CheckedModel model = model(REGRESSION, regressionData(500));
    try (RowChunks.Lane lane = chunks(model, 5).lane(2)) {
      int d = lane.dimension();
      double[] z = point(d, 7);
      double[] g = new double[d];
      lane.logDensityGradient(z, g, null);
      double h = 1e-5;
      for (int k = 0; k < d; k++) {
        double keep = z[k];
        z[k] = keep + h;
        double up = lane.logDensity(z, null);
        z[k] = keep - h;
        double down = lane.logDensity(z, null);
        z[k] = keep;
        double numeric = (up - down) / (2 * h);
        assertEquals(numeric, g[k], 1e-6 * (1 + Math.abs(numeric)), "element " + k);
      }
    }
  }

  @Test
  void theBitsAreTheSameOnOneToFourThreadsAndSumTheChunksInOrder() throws Exception {
    CheckedModel model = model(LOGISTIC, logisticData(3000, 5));
    RowChunks chunks = chunks(model, 8);
    int d = chunks.dimension();
    boolean orderMatters = false;
    for (long seed = 1; seed <= 5; seed++) {
      double[] z = point(d, seed);
      // chunk by chunk, each on its own workspace, summed in chunk order
      double[] inOrder = new double[d];
      double[][] each = new double[chunks.count()][d];
      double[] values = new double[chunks.count()];
      for (int c = 0; c < chunks.count(); c++) {
        LogDensity chunk = chunks.chunk(c);
        values[c] = chunk.logDensityGradient(z, each[c], new double[chunk.workspaceSize()]);
      }
      double lp = values[0];
      System.arraycopy(each[0], 0, inOrder, 0, d);
      for (int c = 1; c < values.length; c++) {
        lp += values[c];
        for (int k = 0; k < d; k++) {
          inOrder[k] += each[c][k];
        }
      }
      double reversed = values[values.length - 1];
      for (int c = values.length - 2; c >= 0; c--) {
        reversed += values[c];
      }
      orderMatters |= reversed != lp;
      for (int threads = 1; threads <= 4; threads++) {
        try (RowChunks.Lane lane = chunks.lane(threads)) {
          double[] g = new double[d];
          // twice: the crew's second job, and a lane's reuse of its workspaces, change nothing
          for (int round = 0; round < 2; round++) {
            assertEquals(lp, lane.logDensityGradient(z, g, null), 0.0, threads + " threads");
            assertArrayEquals(inOrder, g, 0.0, threads + " threads");
            assertEquals(lp, lane.logDensity(z, null), 0.0, threads + " threads");
          }
        }
      }
    }
    assertTrue(orderMatters, "these data tell the chunk order from another: the test above can fail");
  }

  @Test
  void chunksRunCodeSpecializedToTheirRowsWithTheBitsOfTheCodeOfFreeSizes() throws Exception {
    // 1002 rows in 4 chunks of 250, 251, 250 and 251 rows: three classes (the first chunk's has the priors)
    for (CheckedModel model : new CheckedModel[] {model(LOGISTIC, logisticData(1002, 5)),
        model(REGRESSION, regressionData(1002))}) {
      RowChunks specialized = Compilation.rowChunks(model, 4, true).orElseThrow();
      RowChunks free = Compilation.rowChunks(model, 4, false).orElseThrow();
      for (long seed = 1; seed <= 3; seed++) {
        double[] z = point(free.dimension(), seed);
        for (int c = 0; c < free.count(); c++) {
          assertEquals(free.start(c + 1) - free.start(c), specialized.start(c + 1) - specialized.start(c));
          LogDensity s = specialized.chunk(c);
          LogDensity f = free.chunk(c);
          assertEquals(f.workspaceSize(), s.workspaceSize());
          double[] expected = new double[z.length];
          double[] actual = new double[z.length];
          assertEquals(f.logDensityGradient(z, expected, new double[f.workspaceSize()]),
              s.logDensityGradient(z, actual, new double[s.workspaceSize()]), 0.0, "chunk " + c);
          assertArrayEquals(expected, actual, 0.0, "chunk " + c);
          assertEquals(f.logDensity(z, new double[f.workspaceSize()]), s.logDensity(z, new double[s.workspaceSize()]),
              0.0, "chunk " + c);
        }
      }
    }
  }

  @Test
  void nutsDrawsDoNotDependOnTheThreads() throws Exception {
    CheckedModel model = model(LOGISTIC, logisticData(800, 3));
    RowChunks chunks = chunks(model, 4);
    NutsSettings settings = NutsSettings.defaults().withChains(2).withTune(60).withDraws(40).withSeed(3);
    NutsResult one = Nuts.sample(chunks, 1, settings.withThreads(1), null);
    for (int threads = 2; threads <= 4; threads++) {
      NutsResult many = Nuts.sample(chunks, threads, settings.withThreads(threads % 2 + 1), null);
      for (int c = 0; c < one.chains(); c++) {
        for (int i = 0; i < one.drawsPerChain(); i++) {
          assertArrayEquals(one.draws()[c][i], many.draws()[c][i], 0.0, threads + " threads, chain " + c + " draw " + i);
        }
      }
    }
  }

  @Test
  void theRuleSplitsLargeDataIntoAPowerOfTwoOfChunksWhateverTheThreads() {
    // W9: 100,000 rows of 20 predictors and an outcome
    assertEquals(8, RowChunks.chunkCount(100_000, 21));
    assertEquals(1, RowChunks.chunkCount(10_000, 21));
    assertEquals(2, RowChunks.chunkCount(2 * (int) RowChunks.CHUNK_VALUES, 1));
    assertEquals(1, RowChunks.chunkCount(2 * (int) RowChunks.CHUNK_VALUES - 1, 1));
    // never more chunks than rows
    assertEquals(4, RowChunks.chunkCount(4, 1 << 20));
  }

  @Test
  void smallDataAndTermsThatAreNotSumsOverRowsStayUnsplit() throws Exception {
    assertFalse(Compilation.rowChunks(model(REGRESSION, regressionData(200))).isPresent());
    assertFalse(Compilation.rowChunks(model(CENTERED, regressionData(50)), 4).isPresent());
  }
}
