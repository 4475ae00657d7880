package io.flowc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.runtime.LogDensity;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataTest {
  private static final String TEXT = """
      {
        "N": 3,
        "y": [1.5, -2, 3e2],
        "X": [[1, 2], [3, 4], [5, 6]],
        "k": [0, 1, 1],
        "big": "Infinity",
        "empty": []
      }
      """;

  @Test
  void readsNumbersVectorsAndMatricesRowMajor() {
    DataSet d = StanJson.parse(TEXT, "d.json");
    assertArrayEquals(new int[0], d.get("N").dims());
    assertArrayEquals(new double[] {3}, d.get("N").elements());
    assertArrayEquals(new double[] {1.5, -2, 300}, d.get("y").elements());
    assertArrayEquals(new int[] {3, 2}, d.get("X").dims());
    assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, d.get("X").elements());
    assertEquals(Double.POSITIVE_INFINITY, d.get("big").elements()[0]);
    assertArrayEquals(new int[] {0}, d.get("empty").dims());
    assertEquals("an array of 3 x 2", d.get("X").describe());
  }

  @Test
  void badJsonIsRefusedWithItsPlace() {
    DataException e = assertThrows(DataException.class, () -> StanJson.parse("{\n  \"y\": [1, 2,]\n}", "d.json"));
    assertTrue(e.getMessage().startsWith("d.json:2:"), e.getMessage());
    assertTrue(StanJson.parse("{\"X\": [[1, 2], [3]]}", "d.json").unusable("X").contains("'X' in d.json:1:16 is not rectangular"));
    assertTrue(assertThrows(DataException.class, () -> StanJson.parse("{\"a\": 1, \"a\": 2}", "d.json"))
        .getMessage().contains("'a' appears twice"));
    assertTrue(StanJson.parse("{\"a\": \"x\"}", "d.json").unusable("a").contains("where a number was expected"));
    assertThrows(DataException.class, () -> StanJson.parse("{\"a\": 1} x", "d.json"));
    assertThrows(DataException.class, () -> StanJson.parse("{\"a\": 1", "d.json"));
  }

  private static DataLayout layout() {
    return new DataLayout(List.of(new DataLayout.Variable("N", true, new int[0], 0, 3),
        new DataLayout.Variable("y", false, new int[] {3}, 1),
        new DataLayout.Variable("X", false, new int[] {3, 2}, 4),
        new DataLayout.Variable("k", true, new int[] {3}, 10)));
  }

  @Test
  void packsMatricesByColumnsAndIgnoresExtraVariables() {
    double[] packed = layout().pack(StanJson.parse(TEXT, "d.json"));
    assertArrayEquals(new double[] {3, 1.5, -2, 300, 1, 3, 5, 2, 4, 6, 0, 1, 1}, packed);
    assertEquals(layout(), DataLayout.decode(layout().encode()));
    assertEquals("N:int:=3,y:real:3,X:real:3x2,k:int:3", layout().encode());
    assertEquals("'N' is 4.0 in e.json; the model was compiled with N = 3 (N shapes parameters or values of fixed length, so it is fixed when the model is compiled)",
        DataLayout.problem(layout().variables().get(0), StanJson.parse("{\"N\": 4}", "e.json")));
  }

  @Test
  void missingMisshapenAndNonIntegerDataAreNamed() {
    DataSet d = StanJson.parse("{\"N\": 3, \"y\": [1, 2], \"X\": [[1, 2], [3, 4], [5, 6]], \"k\": [0, 1.5, 1]}", "d.json");
    assertNull(DataLayout.problem(layout().variables().get(0), d));
    assertEquals("'y' is an array of 2 in d.json; the model declares real y[3]",
        DataLayout.problem(layout().variables().get(1), d));
    assertEquals("'k' is declared int but element 1 in d.json is 1.5", DataLayout.problem(layout().variables().get(3), d));
    DataException e = assertThrows(DataException.class, () -> layout().pack(StanJson.parse("{\"N\": 3}", "e.json")));
    assertTrue(e.getMessage().contains("'y' is missing from e.json (the model declares real y[3])"), e.getMessage());
  }

  /** A density that reads its data from the workspace, as generated code does: log p = -(z - w[0])^2 / 2. */
  private static final LogDensity READS_DATA = new LogDensity() {
    @Override public int dimension() { return 1; }
    @Override public int workspaceSize() { return 3; }
    @Override public double logDensity(double[] z, double[] w) {
      w[2] = z[0] - w[0]; // scratch above the data and the stamp
      return -0.5 * w[2] * w[2];
    }
    @Override public double logDensityGradient(double[] z, double[] g, double[] w) {
      g[0] = w[0] - z[0];
      return logDensity(z, w);
    }
  };

  @Test
  void bindingsFillAWorkspaceOnceAndRefillItForAnotherBinding() {
    LogDensity a = new DataBinding(new double[] {1}).bind(READS_DATA);
    LogDensity b = new DataBinding(new double[] {4}).bind(READS_DATA);
    double[] w = new double[a.workspaceSize()];
    assertEquals(-0.5, a.logDensity(new double[] {2}, w));
    w[0] = 1; // a binding does not copy again while its stamp is there
    assertEquals(-0.5, a.logDensity(new double[] {2}, w));
    assertEquals(-2, b.logDensity(new double[] {2}, w));
    assertEquals(-0.5, a.logDensity(new double[] {2}, w));
    assertSame(READS_DATA, new DataBinding(new double[0]).bind(READS_DATA));
  }

  private static DataLayout freeLayout() {
    return layout().withFreeSizes(java.util.Map.of("y", "N", "X", "N", "k", "N"), java.util.Set.of("N"));
  }

  @Test
  void dataCountedByAFreeSizeLieBeyondTheRegionWithTheirOffsetsInHeaderSlots() {
    DataLayout free = freeLayout();
    assertEquals("N:int:,y:real:N,X:real:Nx2,k:int:N", free.encode());
    assertEquals(free.encode(), DataLayout.decode(free.encode()).encode());
    assertEquals(4, free.size()); // N, then one header slot each for y, X and k
    assertArrayEquals(new double[] {3, 4, 7, 13, 1.5, -2, 300, 1, 3, 5, 2, 4, 6, 0, 1, 1},
        free.pack(StanJson.parse(TEXT, "d.json")));
    assertArrayEquals(new double[] {2, 4, 6, 10, 1, 2, 1, 3, 2, 4, 0, 1},
        free.pack(StanJson.parse("{\"N\": 2, \"y\": [1, 2], \"X\": [[1, 2], [3, 4]], \"k\": [0, 1]}", "d.json")));
    DataException e = assertThrows(DataException.class,
        () -> free.pack(StanJson.parse("{\"N\": 2, \"y\": [1, 2, 3], \"X\": [[1, 2], [3, 4]], \"k\": [0, 1]}", "d.json")));
    assertEquals("'y' is an array of 3 in d.json; the model declares real y[N] (real y[2])", e.getMessage());
    assertEquals(new DataRegion(9, new int[] {5}, new int[] {0}), DataRegion.decode("9;5:0"));
    assertEquals("9;5:0", DataRegion.decode("9;5:0").encode());
  }

  /** Reads y through its header slot, as generated code does: log p = -(z - sum(y))^2 / 2, sum(y) derived. */
  private static final LogDensity READS_DYNAMIC = new LogDensity() {
    @Override public int dimension() { return 1; }
    @Override public int workspaceSize() { return 9; }
    @Override public int workspaceSize(double[] data) { return (int) data[6] + (int) data[0]; }
    @Override public double logDensity(double[] z, double[] w) {
      for (int i = 0; i < (int) w[0]; i++) {
        w[(int) w[6] + i] = z[0] - w[5]; // scratch of data-dependent length beyond the data
      }
      return -0.5 * w[(int) w[6]] * w[(int) w[6]];
    }
    @Override public double logDensityGradient(double[] z, double[] g, double[] w) {
      g[0] = w[5] - z[0];
      return logDensity(z, w);
    }
  };

  /** Writes sum(y) into slot 5 and 2 y into the derived value whose offset slot 4 holds. */
  private static final LogDensity PROLOGUE = new LogDensity() {
    @Override public int dimension() { return 0; }
    @Override public int workspaceSize() { return 3; }
    @Override public double logDensity(double[] z, double[] w) {
      double s = 0;
      for (int i = 0; i < (int) w[0]; i++) {
        s += w[(int) w[1] + i];
        w[(int) w[4] + i] = 2 * w[(int) w[1] + i];
      }
      w[5] = s;
      return 0;
    }
    @Override public double logDensityGradient(double[] z, double[] g, double[] w) {
      return logDensity(z, w);
    }
  };

  @Test
  void aBindingPlacesDynamicDataAfterTheCodesOwnWorkspace() {
    DataLayout free = freeLayout();
    // region: N, 3 headers, the derived value's header (4), sum(y) (5), the scratch start (6), the stamp (7)
    DataRegion region = new DataRegion(8, new int[] {4}, new int[] {0});
    LogDensity bound = new DataBinding(free, free.pack(StanJson.parse(TEXT, "d.json")), PROLOGUE, region).bind(READS_DYNAMIC);
    // beyond the code's 9 static slots: y, X, k (12 values), 2 y (3), then 3 of scratch
    assertEquals(9 + 12 + 3 + 3, bound.workspaceSize());
    double[] w = new double[bound.workspaceSize()];
    assertEquals(-0.5 * Math.pow(2 - 299.5, 2), bound.logDensity(new double[] {2}, w));
    assertEquals(9, w[1]);
    assertArrayEquals(new double[] {1.5, -2, 300}, java.util.Arrays.copyOfRange(w, 9, 12));
    assertEquals(21, w[4]);
    assertArrayEquals(new double[] {3, -4, 600}, java.util.Arrays.copyOfRange(w, 21, 24));
    assertEquals(24, w[6]);
  }

  /** Reads nothing: a kernel for binding batches to, whose workspace the test then reads. */
  private static final io.flowc.runtime.flow.FlowKernel NO_KERNEL = new io.flowc.runtime.flow.FlowKernel() {
    @Override public int dimension() { return 1; }
    @Override public int parameterCount() { return 1; }
    @Override public int workspaceSize() { return 9; }
    @Override public double lossGradient(double[] theta, double[] eps, int draws, double[] gradient, double[] w) {
      return 0;
    }
    @Override public void sample(double[] theta, double[] eps, int draws, double[] z, double[] logq, double[] w) {}
  };

  /**
   * Each batch of a pass is the next slice of the pass's shuffled order (Fisher-Yates from the
   * walk's random stream, continuing from the last pass's order), its rows in ascending order,
   * every variable over rows gathered for them; the rows left over after the last whole slice wait.
   */
  @Test
  void aBatchIsTheNextSliceOfTheShuffledRowsInAscendingOrder() {
    int n = 1003;
    int size = 10;
    java.util.Map<String, DataSet.Value> values = new java.util.LinkedHashMap<>();
    values.put("N", new DataSet.Value(new int[0], new double[] {n}));
    double[] y = new double[n];
    double[] x = new double[2 * n];
    double[] k = new double[n];
    for (int r = 0; r < n; r++) {
      y[r] = r;
      x[2 * r] = r + 0.25;
      x[2 * r + 1] = -r;
      k[r] = r % 2;
    }
    values.put("y", new DataSet.Value(new int[] {n}, y));
    values.put("X", new DataSet.Value(new int[] {n, 2}, x));
    values.put("k", new DataSet.Value(new int[] {n}, k));
    DataLayout free = freeLayout();
    DataBinding binding = new DataBinding(free, free.pack(new DataSet("d.json", values)), null,
        new DataRegion(7, new int[0], new int[0]));
    DataBinding.Batches batches = binding.batches(size);
    assertEquals(100, batches.batchesPerPass());
    io.flowc.runtime.flow.FlowKernel kernel = batches.bind(NO_KERNEL);
    double[] w = new double[kernel.workspaceSize()];
    DataBinding.Batches.Walk walk = batches.newWalk();
    java.util.SplittableRandom random = new java.util.SplittableRandom(8);
    java.util.SplittableRandom same = new java.util.SplittableRandom(8);
    int[] order = new int[n];
    for (int r = 0; r < n; r++) {
      order[r] = r;
    }
    for (int pass = 0; pass < 2; pass++) {
      assertTrue(walk.needsShuffle());
      walk.shuffle(random);
      for (int i = n - 1; i > 0; i--) {
        int j = same.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      for (int b = 0; b < batches.batchesPerPass(); b++) {
        walk.next(w);
        int[] rows = java.util.Arrays.copyOfRange(order, b * size, (b + 1) * size);
        java.util.Arrays.sort(rows);
        for (int j = 0; j < size; j++) {
          assertEquals(rows[j], w[(int) w[1] + j], "pass " + pass + ", batch " + b);
          assertEquals(rows[j] + 0.25, w[(int) w[2] + j]);
          assertEquals(-rows[j], w[(int) w[2] + size + j]);
          assertEquals(rows[j] % 2, w[(int) w[3] + j]);
        }
      }
    }
    assertTrue(walk.needsShuffle());
  }
}
