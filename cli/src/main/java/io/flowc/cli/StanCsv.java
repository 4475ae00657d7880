package io.flowc.cli;

import io.flowc.runtime.nuts.ChainStats;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws in Stan's CSV layout, as CmdStan writes them, so that rstan's {@code read_stan_csv},
 * cmdstanpy, ArviZ's {@code from_cmdstan} and the R package posterior read them: a {@code #}
 * comment header with the run's configuration in CmdStan's argument tree, the header row, the
 * method's columns (ending in {@code __}) before the parameters in Stan's 1-based dotted names
 * ({@code theta.1}), and for sampling the adaptation result after the header row and the timing
 * after the draws. Values are written with all their digits ({@link Double#toString}), so they are
 * the same numbers as in flowc's own CSV; infinities as Stan's {@code inf}.
 */
final class StanCsv {
  /** The columns CmdStan's NUTS writes before the parameters, in its order. */
  static final List<String> SAMPLER_COLUMNS = List.of("lp__", "accept_stat__", "stepsize__", "treedepth__",
      "n_leapfrog__", "divergent__", "energy__");

  /** The columns CmdStan's variational method writes before the parameters. */
  static final List<String> VARIATIONAL_COLUMNS = List.of("lp__", "log_p__", "log_g__");

  private StanCsv() {}

  /** How a sampling run was configured, in the terms of CmdStan's {@code method = sample} header. */
  record Sampling(String model, int draws, int tune, double targetAccept, int maxTreeDepth, double initialStepSize,
      long seed, String dataFile, boolean jitteredStarts) {}

  /** How a flow was fitted, in the terms of CmdStan's {@code method = variational} header. */
  record Variational(String model, String flow, int iterations, int nmc, String optimizer, double learningRate,
      int evalDraws, int draws, long seed, String dataFile) {}

  /**
   * The file chain {@code chain} (from 0) of {@code chains} is written to, as CmdStan's
   * {@code num_chains} names them: {@code file} itself for one chain, else {@code out_1.csv},
   * {@code out_2.csv}, ... for {@code out.csv} (the number before the extension, if any).
   */
  static String chainFile(String file, int chain, int chains) {
    if (chains == 1) {
      return file;
    }
    int slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf(java.io.File.separatorChar));
    int dot = file.lastIndexOf('.');
    String suffix = "_" + (chain + 1);
    return dot > slash + 1 ? file.substring(0, dot) + suffix + file.substring(dot) : file + suffix;
  }

  /**
   * Stan's column names of reported elements (parameters, then derived quantities, as CmdStan
   * writes transformed parameters after the parameters): {@code mu}, {@code theta.1}, {@code theta.2}
   * for flowc's {@code mu}, {@code theta[0]}, {@code theta[1]}.
   */
  static List<String> columns(List<String> elements) {
    List<String> names = new ArrayList<>();
    for (String e : elements) {
      int open = e.indexOf('[');
      names.add(open < 0 ? e : e.substring(0, open) + "." + (Integer.parseInt(e.substring(open + 1, e.length() - 1)) + 1));
    }
    return names;
  }

  /**
   * Writes one chain's file: configuration, header row, adaptation, its draws on the constrained
   * scale with their sampler statistics, timing.
   *
   * @param chain the chain, from 0 (CmdStan's {@code id} counts from 1)
   */
  static void writeChain(Writer w, Sampling run, List<String> elements, int chain, String file, double[][] draws,
      ChainStats stats) throws IOException {
    Header h = new Header(w);
    h.line("model", run.model());
    h.value("method", "sample");
    h.line("num_samples", run.draws());
    h.line("num_warmup", run.tune());
    h.line("save_warmup", 0);
    h.line("thin", 1);
    h.group("adapt");
    h.line("engaged", run.tune() > 0 ? 1 : 0);
    h.line("gamma", 0.05);
    h.line("delta", run.targetAccept());
    h.line("kappa", 0.75);
    h.line("t0", 10);
    h.close();
    h.value("algorithm", "hmc");
    h.value("engine", "nuts");
    h.line("max_depth", run.maxTreeDepth());
    h.close();
    h.line("metric", "diag_e");
    h.line("stepsize", run.initialStepSize());
    h.line("stepsize_jitter", 0);
    h.close();
    h.close();
    h.line("id", chain + 1);
    // CmdStan's init = R starts uniform(-R, R) on the unconstrained scale: PyMC3's jitter is R = 1
    dataInitSeedOutput(h, run.dataFile(), run.jitteredStarts() ? "1" : "user", run.seed(), file);

    w.write(String.join(",", SAMPLER_COLUMNS) + "," + String.join(",", columns(elements)) + "\n");
    if (run.tune() > 0 && stats.draws() > 0) {
      w.write("# Adaptation terminated\n");
      w.write("# Step size = " + number(stats.stepSize()[0]) + "\n");
      w.write("# Diagonal elements of inverse mass matrix:\n");
      StringBuilder mass = new StringBuilder("# ");
      double[] inverseMass = stats.inverseMassDiagonal();
      for (int k = 0; k < inverseMass.length; k++) {
        mass.append(k == 0 ? "" : ", ").append(number(inverseMass[k]));
      }
      w.write(mass.append('\n').toString());
    }
    StringBuilder row = new StringBuilder();
    for (int i = 0; i < draws.length; i++) {
      row.setLength(0);
      row.append(number(stats.logDensity()[i])).append(',').append(number(stats.meanTreeAccept()[i])).append(',')
          .append(number(stats.stepSize()[i])).append(',').append(stats.treeDepth()[i]).append(',')
          .append(stats.leapfrogSteps()[i]).append(',').append(stats.diverging()[i] ? 1 : 0).append(',')
          .append(number(stats.energy()[i]));
      for (double v : draws[i]) {
        row.append(',').append(number(v));
      }
      w.write(row.append('\n').toString());
    }
    double warmup = stats.tuningSeconds();
    w.write("#\n");
    w.write(String.format(Locale.ROOT, "#  Elapsed Time: %.3f seconds (Warm-up)\n", warmup));
    w.write(String.format(Locale.ROOT, "#                %.3f seconds (Sampling)\n", stats.seconds() - warmup));
    w.write(String.format(Locale.ROOT, "#                %.3f seconds (Total)\n", stats.seconds()));
    w.write("#\n");
  }

  /**
   * Writes a fitted flow's draws as CmdStan's variational method does: the first row the mean
   * with {@code lp__, log_p__, log_g__} 0, then one row per draw with {@code lp__} 0 (unused, as
   * in CmdStan), {@code log_p__} the model's log density and {@code log_g__} the flow's log q,
   * both on the unconstrained scale. The flow has no closed-form mean: the first row is the mean
   * of the draws written.
   */
  static void writeVariational(Writer w, Variational run, List<String> elements, String file, double[][] draws,
      double[] logP, double[] logQ) throws IOException {
    Header h = new Header(w);
    h.line("model", run.model());
    h.value("method", "variational");
    h.value("algorithm", "normalizing_flow");
    h.line("flow", run.flow());
    h.line("optimizer", run.optimizer());
    h.line("learning_rate", run.learningRate());
    h.close();
    h.line("iter", run.iterations());
    h.line("grad_samples", run.nmc());
    h.line("elbo_samples", run.evalDraws());
    h.line("output_samples", run.draws());
    h.close();
    dataInitSeedOutput(h, run.dataFile(), null, run.seed(), file);

    w.write(String.join(",", VARIATIONAL_COLUMNS) + "," + String.join(",", columns(elements)) + "\n");
    int n = elements.size();
    double[] mean = new double[n];
    for (double[] d : draws) {
      for (int k = 0; k < n; k++) {
        mean[k] += d[k] / draws.length;
      }
    }
    StringBuilder row = new StringBuilder("0,0,0");
    for (double v : mean) {
      row.append(',').append(number(v));
    }
    w.write(row.append('\n').toString());
    for (int i = 0; i < draws.length; i++) {
      row.setLength(0);
      row.append("0,").append(number(logP[i])).append(',').append(number(logQ[i]));
      for (double v : draws[i]) {
        row.append(',').append(number(v));
      }
      w.write(row.append('\n').toString());
    }
  }

  private static void dataInitSeedOutput(Header h, String dataFile, String init, long seed, String file)
      throws IOException {
    h.group("data");
    h.line("file", dataFile == null ? "" : dataFile);
    h.close();
    if (init != null) {
      h.line("init", init);
    }
    h.group("random");
    h.line("seed", seed);
    h.close();
    h.group("output");
    h.line("file", file);
    h.close();
  }

  /** A value as Stan's CSV writes it: digits as Java prints them, infinities as {@code inf}, {@code -inf}. */
  static String number(double v) {
    if (v == Double.POSITIVE_INFINITY) {
      return "inf";
    }
    if (v == Double.NEGATIVE_INFINITY) {
      return "-inf";
    }
    return Double.isNaN(v) ? "NaN" : Double.toString(v);
  }

  /**
   * CmdStan's argument tree, two spaces of indent per level: an argument whose value has
   * sub-arguments ({@code method = sample}) repeats the value one level deeper and puts those
   * one level deeper still; a group ({@code adapt}) is a name with its arguments one level deeper.
   */
  private static final class Header {
    private final Writer w;
    private final ArrayDeque<Integer> opened = new ArrayDeque<>();
    private int depth;

    Header(Writer w) {
      this.w = w;
    }

    void line(String key, Object value) throws IOException {
      String text = value instanceof Double d ? number(d) : String.valueOf(value);
      write(depth, key + " = " + text);
    }

    void value(String key, String value) throws IOException {
      line(key, value);
      write(depth + 1, value);
      open(2);
    }

    void group(String name) throws IOException {
      write(depth, name);
      open(1);
    }

    void close() {
      depth -= opened.pop();
    }

    private void open(int levels) {
      opened.push(levels);
      depth += levels;
    }

    private void write(int level, String text) throws IOException {
      w.write("# " + "  ".repeat(level) + text + "\n");
    }
  }
}
