package io.flowc.spark;

import io.flowc.runtime.ArtifactException;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import io.flowc.runtime.many.FitMethod;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.nuts.NutsSettings;
import io.flowc.runtime.optim.Optimizer;
import io.flowc.runtime.optim.Optimizers;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The {@code spark-submit} entry point: long-format rows from Parquet or CSV, one fit per group,
 * results written as Parquet ({@link ResultRows#SCHEMA}) and a one-line summary on stdout.
 * Exit codes as flowc's: 0 done (whatever the groups' statuses), 2 a mistake in the arguments or
 * the input, 1 anything else.
 */
public final class SparkFitMany {
  static final String USAGE = String.join("\n",
      "usage: spark-submit --class io.flowc.spark.SparkFitMany flowc-spark-submit.jar",
      "  --model ARTIFACT.jar --input ROWS (.csv or Parquet) --group COL[,COL] --out DIR",
      "  --method nfvi|nuts [--input-format csv|parquet] [--column DATA=COL]... [--order COL[,COL]]",
      "  [--data common.json] [--seed S] [--partitions P] [--draws D]",
      "  NFVI: --flow FORMULA [--iters N] [--nmc K] [--optimizer NAME] [--lr X] [--jitter J] [--grad-clip C]",
      "        [--restarts R] [--average-last N] [--lr-final X] [--eval-draws E]",
      "  NUTS: [--tune N] [--chains C] [--target-accept A] [--max-treedepth T]");

  private SparkFitMany() {}

  /** A mistake in the arguments or the input: a one-line message and exit 2. */
  static final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().appName("flowc fit-many").getOrCreate();
    int code;
    try {
      code = run(spark, args, System.out, System.err);
    } finally {
      spark.stop();
    }
    System.exit(code);
  }

  /** Runs the job on {@code spark}; returns the exit code. */
  public static int run(SparkSession spark, String[] args, PrintStream out, PrintStream err) {
    try {
      Options options = Options.parse(args);
      String target = options.required("--out");
      long start = System.nanoTime();
      Dataset<Row> rows = read(spark, options);
      SparkManyFits fits = configured(options);
      fits.fit(rows).write().mode(SaveMode.ErrorIfExists).parquet(target);
      double seconds = (System.nanoTime() - start) / 1e9;
      out.println(summary(spark.read().parquet(target), seconds, target));
      return 0;
    } catch (ArtifactException | IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (Exception e) {
      // Spark throws AnalysisException (checked, undeclared) for a missing input, a missing column, an output that exists
      if (e instanceof AnalysisException a) {
        err.println("error: " + a.getSimpleMessage());
        return 2;
      }
      throw e;
    }
  }

  /**
   * The results of every group of {@code rows}, with the main class's options but --input and
   * --out (for PySpark through py4j, whose lists arrive as a java.util.List): {@code
   * SparkFitMany.fit(df._jdf, ["--model", "regression.jar", "--group", "store", "--method", "nfvi", ...])}.
   *
   * @throws IllegalArgumentException for a mistake in the options, naming it
   */
  public static Dataset<Row> fit(Dataset<Row> rows, List<String> options) {
    Options parsed = Options.parse(options.toArray(String[]::new));
    for (String io : List.of("--input", "--input-format", "--out")) {
      if (parsed.has(io)) {
        throw new UsageException(io + " is for spark-submit; here the rows are given and the results returned");
      }
    }
    return configured(parsed).fit(rows);
  }

  /** The job the options describe. */
  private static SparkManyFits configured(Options options) {
    SparkManyFits fits = SparkManyFits.of(Path.of(options.required("--model")))
        .groupBy(options.list("--group"))
        .common(options.commonData())
        .method(options.method())
        .seed(options.longValue("--seed", 0));
    options.columns().forEach(fits::column);
    if (options.has("--order")) {
      fits.orderBy(options.list("--order"));
    }
    if (options.has("--eval-draws")) {
      fits.evalDraws(options.intValue("--eval-draws", 0));
    }
    if (options.has("--partitions")) {
      fits.partitions(options.intValue("--partitions", 0));
    }
    return fits;
  }

  private static Dataset<Row> read(SparkSession spark, Options options) {
    String input = options.required("--input");
    String format = options.value("--input-format", input.toLowerCase(Locale.ROOT).endsWith(".csv") ? "csv" : "parquet");
    switch (format) {
      case "parquet":
        return spark.read().parquet(input);
      case "csv":
        // every cell read as text: ids keep their spelling (007 stays 007), and a cell that is not a number fails its group only
        return spark.read().option("header", "true").csv(input);
      default:
        throw new UsageException("--input-format must be csv or parquet, not '" + format + "'");
    }
  }

  /** {@code fitted 3 sets (ok 3) in 4.2 s, 0.7 sets/s; wrote DIR}. */
  static String summary(Dataset<Row> results, double seconds, String target) {
    List<Row> byStatus = results.select("id", "status").distinct().groupBy("status").count().orderBy("status")
        .collectAsList();
    long sets = 0;
    List<String> counts = new ArrayList<>();
    for (Row r : byStatus) {
      sets += r.getLong(1);
      counts.add(r.getString(0) + " " + r.getLong(1));
    }
    return String.format(Locale.ROOT, "fitted %d sets (%s) in %.1f s, %.1f sets/s; wrote %s", sets,
        String.join(", ", counts), seconds, sets / seconds, target);
  }

  /** {@code --name value} pairs; {@code --column} may repeat. */
  static final class Options {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, String> columns = new LinkedHashMap<>();

    private static final List<String> NAMES = List.of("--model", "--input", "--input-format", "--group", "--column",
        "--order", "--data", "--method", "--seed", "--partitions", "--out", "--draws", "--flow", "--iters", "--nmc",
        "--optimizer", "--lr", "--jitter", "--grad-clip", "--restarts", "--average-last", "--lr-final", "--eval-draws",
        "--tune", "--chains", "--target-accept", "--max-treedepth");

    static Options parse(String[] args) {
      Options options = new Options();
      for (int i = 0; i < args.length; i += 2) {
        String name = args[i];
        if (!NAMES.contains(name)) {
          throw new UsageException("unknown option '" + name + "'\n" + USAGE);
        }
        if (i + 1 >= args.length) {
          throw new UsageException(name + " needs a value");
        }
        String value = args[i + 1];
        if (name.equals("--column")) {
          int eq = value.indexOf('=');
          if (eq <= 0 || eq == value.length() - 1) {
            throw new UsageException("--column takes DATA=COLUMN, not '" + value + "'");
          }
          options.columns.put(value.substring(0, eq), value.substring(eq + 1));
        } else if (options.values.put(name, value) != null) {
          throw new UsageException(name + " is given twice");
        }
      }
      return options;
    }

    boolean has(String name) {
      return values.containsKey(name);
    }

    String required(String name) {
      String value = values.get(name);
      if (value == null) {
        throw new UsageException("missing " + name + "\n" + USAGE);
      }
      return value;
    }

    String value(String name, String otherwise) {
      return values.getOrDefault(name, otherwise);
    }

    String[] list(String name) {
      return required(name).split(",");
    }

    Map<String, String> columns() {
      return columns;
    }

    long longValue(String name, long otherwise) {
      try {
        return has(name) ? Long.parseLong(values.get(name)) : otherwise;
      } catch (NumberFormatException e) {
        throw new UsageException(name + " must be an integer, not '" + values.get(name) + "'");
      }
    }

    int intValue(String name, int otherwise) {
      long value = longValue(name, otherwise);
      if (value < 0 || value > Integer.MAX_VALUE) {
        throw new UsageException(name + " must be between 0 and " + Integer.MAX_VALUE);
      }
      return (int) value;
    }

    double doubleValue(String name, double otherwise) {
      try {
        return has(name) ? Double.parseDouble(values.get(name)) : otherwise;
      } catch (NumberFormatException e) {
        throw new UsageException(name + " must be a number, not '" + values.get(name) + "'");
      }
    }

    DataSet commonData() {
      if (!has("--data")) {
        return new DataSet("no common data", Map.of());
      }
      Path file = Path.of(values.get("--data"));
      try {
        return StanJson.parse(Files.readString(file), file.toString());
      } catch (IOException e) {
        throw new UsageException("--data " + file + ": cannot read it (" + e.getMessage() + ")");
      }
    }

    private static final List<String> NFVI_ONLY = List.of("--flow", "--iters", "--nmc", "--optimizer", "--lr", "--jitter",
        "--grad-clip", "--restarts", "--average-last", "--lr-final", "--eval-draws");
    private static final List<String> NUTS_ONLY = List.of("--tune", "--chains", "--target-accept", "--max-treedepth");

    /** The method with fit-many's defaults for what is not given; the other method's options are refused, as there. */
    FitMethod method() {
      String method = required("--method");
      for (String option : method.equals("nuts") ? NFVI_ONLY : method.equals("nfvi") ? NUTS_ONLY : List.<String>of()) {
        if (has(option)) {
          throw new UsageException(option + " applies to --method " + (method.equals("nfvi") ? "nuts" : "nfvi"));
        }
      }
      try {
        switch (method) {
          case "nfvi": {
            String name = value("--optimizer", "adagrad_window");
            Optimizer optimizer = has("--lr") ? Optimizers.byName(name, doubleValue("--lr", 0)) : Optimizers.byName(name);
            Nfvi.Settings settings = new Nfvi.Settings(intValue("--iters", 10_000), optimizer, intValue("--nmc", 1),
                doubleValue("--jitter", 1), 0, doubleValue("--grad-clip", Nfvi.Settings.NO_CLIPPING), List.of(),
                intValue("--average-last", 0), has("--lr-final") ? doubleValue("--lr-final", 0) / optimizer.learningRate() : 1);
            return new FitMethod.Nfvi(required("--flow"), settings, intValue("--restarts", 1), intValue("--draws", 500));
          }
          case "nuts": {
            int depth = intValue("--max-treedepth", NutsSettings.DEFAULT_MAX_TREE_DEPTH);
            return new FitMethod.Nuts(new NutsSettings(intValue("--draws", NutsSettings.DEFAULT_DRAWS),
                intValue("--tune", NutsSettings.DEFAULT_TUNE), intValue("--chains", NutsSettings.defaultChains()),
                doubleValue("--target-accept", NutsSettings.DEFAULT_TARGET_ACCEPT), depth,
                Math.min(depth, NutsSettings.DEFAULT_EARLY_MAX_TREE_DEPTH), 0, 1, null));
          }
          default:
            throw new UsageException("--method must be nfvi or nuts, not '" + method + "'");
        }
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
    }
  }
}
