package io.flowc.bench;

import io.flowc.runtime.data.DataSet;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * W9's data (DESIGN section 8): a logistic regression for {@code examples/logistic.flow}, N rows of K
 * standard normal predictors, coefficients uniform in (-1, 1), intercept -0.5, the outcome drawn
 * from the model, all from one seed. The same design as {@code bench/scripts/minibatch-logistic.py},
 * made in Java so that the bench needs nothing but the JDK; {@link SplittableRandom}'s algorithm is
 * fixed by its specification and exp and log are StrictMath's, so a seed gives the same data on
 * every JVM.
 *
 * <p>Predictors are rounded to 6 decimals before the outcome is drawn, so the data in memory are
 * exactly what a reader of the written file gets back (each value is the double nearest to its
 * decimal text). The written file is Stan's JSON, read by {@code flowc --data} and by rstan.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.flowc.bench.W9Data OUT.json [N K SEED]}
 * (defaults 100000 20 9).
 */
public final class W9Data {
  /** W9's size and seed. */
  public static final int ROWS = 100_000;
  public static final int PREDICTORS = 20;
  public static final long SEED = 9;
  static final double INTERCEPT = -0.5;
  private static final double SCALE = 1e6;

  /** The data: x row-major (row i, predictor j at i * k + j), y in {0, 1}; alpha and beta made them. */
  public record Data(int n, int k, double alpha, double[] beta, double[] x, int[] y) {
    /** The data as flowc binds them to examples/logistic.flow: N, K, X[N, K], y[N]. */
    public DataSet toDataSet(String source) {
      Map<String, DataSet.Value> values = new LinkedHashMap<>();
      values.put("N", new DataSet.Value(new int[0], new double[] {n}));
      values.put("K", new DataSet.Value(new int[0], new double[] {k}));
      values.put("X", new DataSet.Value(new int[] {n, k}, x.clone()));
      double[] outcomes = new double[n];
      for (int i = 0; i < n; i++) {
        outcomes[i] = y[i];
      }
      values.put("y", new DataSet.Value(new int[] {n}, outcomes));
      return new DataSet(source, values);
    }
  }

  private W9Data() {}

  /** N rows of K predictors from {@code seed}; the coefficients are drawn first, then row by row. */
  public static Data generate(int n, int k, long seed) {
    if (n < 1 || k < 1) {
      throw new IllegalArgumentException("rows and predictors must be at least 1, not " + n + " and " + k);
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[] beta = new double[k];
    for (int j = 0; j < k; j++) {
      beta[j] = random.nextDouble(-1, 1);
    }
    double[] x = new double[n * k];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      double eta = INTERCEPT;
      for (int j = 0; j < k; j++) {
        double v = Math.round(gaussian(random) * SCALE) / SCALE;
        x[i * k + j] = v;
        eta += beta[j] * v;
      }
      y[i] = random.nextDouble() < 1 / (1 + StrictMath.exp(-eta)) ? 1 : 0;
    }
    return new Data(n, k, INTERCEPT, beta, x, y);
  }

  /**
   * A standard normal draw by the polar method, one per call (the second value is dropped, so a
   * draw depends on nothing but the stream: SplittableRandom has no nextGaussian before Java 17's
   * RandomGenerator default, whose algorithm is not specified).
   */
  static double gaussian(SplittableRandom random) {
    while (true) {
      double u = random.nextDouble(-1, 1);
      double v = random.nextDouble(-1, 1);
      double s = u * u + v * v;
      if (s > 0 && s < 1) {
        return u * Math.sqrt(-2 * StrictMath.log(s) / s);
      }
    }
  }

  /** Writes the data as Stan's JSON: {@code {"N": n, "K": k, "X": [[...], ...], "y": [...]}}. */
  public static void write(Data data, Writer out) throws IOException {
    StringBuilder line = new StringBuilder(16 * data.k() + 8);
    out.write("{\"N\": " + data.n() + ", \"K\": " + data.k() + ", \"X\": [");
    for (int i = 0; i < data.n(); i++) {
      line.setLength(0);
      line.append(i == 0 ? "\n[" : ",\n[");
      for (int j = 0; j < data.k(); j++) {
        if (j > 0) {
          line.append(", ");
        }
        appendFixed(line, data.x()[i * data.k() + j]);
      }
      out.append(line).append(']');
    }
    out.write("],\n\"y\": [");
    for (int i = 0; i < data.n(); i++) {
      out.write(i == 0 ? "" : ", ");
      out.write(data.y()[i] == 1 ? '1' : '0');
    }
    out.write("]}\n");
  }

  /**
   * A value that is an integer count of millionths, written with exactly 6 decimals ("-0.037247"):
   * shorter than Double.toString's digits and never in exponent form.
   */
  static void appendFixed(StringBuilder out, double value) {
    long micros = Math.round(value * SCALE);
    if (micros < 0) {
      out.append('-');
      micros = -micros;
    }
    out.append(micros / 1_000_000).append('.');
    String fraction = Long.toString(micros % 1_000_000);
    for (int pad = fraction.length(); pad < 6; pad++) {
      out.append('0');
    }
    out.append(fraction);
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 1 && args.length != 4) {
      System.err.println("usage: W9Data OUT.json [N K SEED]");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    Data data;
    try {
      int n = args.length > 1 ? Integer.parseInt(args[1]) : ROWS;
      int k = args.length > 1 ? Integer.parseInt(args[2]) : PREDICTORS;
      long seed = args.length > 1 ? Long.parseLong(args[3]) : SEED;
      data = generate(n, k, seed);
    } catch (IllegalArgumentException e) { // NumberFormatException included
      System.err.println("W9Data: " + e.getMessage());
      System.exit(2);
      return;
    }
    try (BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      write(data, writer);
    }
    System.err.printf("%s: %d rows, %d predictors%n", out, data.n(), data.k());
  }
}
