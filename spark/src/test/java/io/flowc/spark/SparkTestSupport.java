package io.flowc.spark;

import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.ArtifactWriter;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import io.flowc.runtime.many.FitMethod;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.optim.Optimizers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** One local Spark for every test class (two cores, a failed task tried twice), and the regression artifact. */
final class SparkTestSupport {
  static final String FORMULA = "scale-hh*3-loc";
  static final StructType ROWS = new StructType()
      .add("store", DataTypes.StringType, false)
      .add("x", DataTypes.DoubleType, true)
      .add("y", DataTypes.DoubleType, true);

  private static SparkSession spark;
  private static byte[] artifact;

  private SparkTestSupport() {}

  static synchronized SparkSession spark() {
    if (spark == null) {
      spark = SparkSession.builder()
          .master("local[2,2]")
          .appName("flowc-spark-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.sql.shuffle.partitions", "4")
          .getOrCreate();
      spark.sparkContext().setLogLevel("ERROR");
    }
    return spark;
  }

  static Path repoRoot() {
    String root = System.getProperty("flowc.root.dir");
    return root != null && !root.isBlank() ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
  }

  /** examples/regression.flow compiled with N free and the formula, as `flowc compile --flow` writes it. */
  static synchronized byte[] artifact() {
    if (artifact == null) {
      try {
        String firstSet = Files.readAllLines(repoRoot().resolve("examples/regression-sets.jsonl")).get(0);
        String data = firstSet.substring(firstSet.indexOf("\"data\": ") + "\"data\": ".length(), firstSet.length() - 1);
        artifact = compile("examples/regression.flow", StanJson.parse(data, "regression-sets.jsonl"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return artifact.clone();
  }

  /** An example model compiled with its free sizes free and the formula, as `flowc compile --flow` writes it. */
  static byte[] compile(String example, DataSet shapes) {
    try {
      Path model = repoRoot().resolve(example);
      var checked = Compilation.freeSizes(FrontEnd.check(new SourceFile(model.toString(), Files.readString(model)),
          shapes));
      Path jar = Files.createTempDirectory("flowc-spark-test").resolve("model.jar");
      ArtifactWriter.write(checked, List.of(FlowFormulaParsing.parse(FORMULA)), jar);
      return Files.readAllBytes(jar);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A short NFVI fit: enough to be a real fit, quick enough for a unit test. */
  static FitMethod.Nfvi nfvi() {
    return new FitMethod.Nfvi(FORMULA, new Nfvi.Settings(300, Optimizers.byName("adam", 0.05), 1, 1, 0,
        Nfvi.Settings.NO_CLIPPING, List.of()), 1, 200);
  }

  /** examples/regression-rows.csv (store, x, y), in file order, without the row whose y is not a number. */
  static List<Row> exampleRows() {
    try {
      List<String> lines = Files.readAllLines(repoRoot().resolve("examples/regression-rows.csv"));
      List<Row> rows = new ArrayList<>();
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.split(",");
        if (!f[2].matches("-?[0-9.]+")) {
          continue;  // the file's bad group (store-4, y 'oops')
        }
        rows.add(RowFactory.create(f[0], Double.parseDouble(f[1]), Double.parseDouble(f[2])));
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A result row without its seconds (the one field that differs between runs), as text to compare. */
  static String bits(Row row) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < row.length(); i++) {
      if (!ResultRows.SCHEMA.fields()[i].name().equals("seconds")) {
        Object v = row.get(i);
        s.append(v instanceof Double d ? Long.toHexString(Double.doubleToRawLongBits(d)) : String.valueOf(v)).append('|');
      }
    }
    return s.toString();
  }
}
