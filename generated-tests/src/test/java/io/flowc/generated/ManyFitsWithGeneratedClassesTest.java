package io.flowc.generated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.ArtifactWriter;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.Artifact;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import io.flowc.runtime.many.DataSetInput;
import io.flowc.runtime.many.FitMethod;
import io.flowc.runtime.many.ManyFits;
import io.flowc.runtime.many.ModelClasses;
import io.flowc.runtime.many.SetResult;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.optim.Optimizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The many-fits engine over classes the annotation processor generated ({@code Flowc_Kidiq}, N
 * free): data sets of other row counts bound without recompiling, the same results as over an
 * artifact of the same model.
 */
class ManyFitsWithGeneratedClassesTest {
  private static final Path MODEL = TestPaths.example("kidiq_interaction");

  @TempDir
  Path dir;

  private static final FitMethod.Nfvi METHOD = new FitMethod.Nfvi("scale-loc", new Nfvi.Settings(300,
      Optimizers.byName("adam", 0.05), 2, 0.1, 0, Nfvi.Settings.NO_CLIPPING, List.of()), 1, 100);

  /** The first 50, 80 and 110 children of kidiq, and a set whose mom_iq is one short. */
  private static List<DataSetInput> sets() throws Exception {
    DataSet all = StanJson.read(Path.of(MODEL.toString().replace(".flow", ".json")));
    List<DataSetInput> sets = new ArrayList<>();
    for (int n : new int[] {50, 80, 110}) {
      sets.add(new DataSetInput("first-" + n, rows(all, n, n)));
    }
    sets.add(new DataSetInput("short", rows(all, 40, 39)));
    return sets;
  }

  private static DataSet rows(DataSet all, int n, int iqRows) {
    Map<String, DataSet.Value> values = new LinkedHashMap<>();
    values.put("N", new DataSet.Value(new int[0], new double[] {n}));
    for (String column : List.of("kid_score", "mom_iq", "mom_hs")) {
      int rows = column.equals("mom_iq") ? iqRows : n;
      double[] e = java.util.Arrays.copyOf(all.get(column).elements(), rows);
      values.put(column, new DataSet.Value(new int[] {rows}, e));
    }
    return new DataSet("rows " + n, values);
  }

  @Test
  void generatedClassesFitManySetsAsTheArtifactDoes() throws Exception {
    ModelClasses generated = ModelClasses.of(Flowc_Kidiq.parameterLayout(), Flowc_Kidiq::flowLayout,
        Flowc_Kidiq::model, Flowc_Kidiq::flow);
    DataSet none = new DataSet("none", Map.of());
    List<SetResult> results = ManyFits.of(generated, none, METHOD, 9).fitAll(sets().stream(), 2).toList();
    assertEquals(List.of("ok", "ok", "ok", "bad_data"), results.stream().map(SetResult::status).toList());
    assertTrue(results.get(3).message().contains("'mom_iq' is an array of 39 in rows 40"), results.get(3).message());
    assertEquals(List.of("beta[0]", "beta[1]", "beta[2]", "beta[3]", "sigma"),
        results.get(0).parameters().stream().map(p -> p.name()).toList());

    Path jar = dir.resolve("kidiq.jar");
    ArtifactWriter.write(Compilation.freeSizes(FrontEnd.check(new SourceFile(MODEL.toString(), Files.readString(MODEL)),
        StanJson.read(Path.of(MODEL.toString().replace(".flow", ".json"))))), List.of(FlowFormulaParsing.parse("scale-loc")),
        jar);
    List<SetResult> fromArtifact = ManyFits.of(Artifact.open(jar), none, METHOD, 9).fitAll(sets().stream(), 1).toList();
    for (int i = 0; i < results.size(); i++) {
      assertEquals(results.get(i).parameters(), fromArtifact.get(i).parameters());
      assertEquals(results.get(i).finalLoss(), fromArtifact.get(i).finalLoss());
    }
  }

  /** Bounds computed from data constrain each set's draws with the model's code on that set, which functions do not give. */
  @Test
  void generatedClassesWithComputedBoundsAreRefusedForManyFits() {
    ModelClasses generated = ModelClasses.of(Flowc_Bounds.parameterLayout(), Flowc_Bounds::flowLayout,
        Flowc_Bounds::model, Flowc_Bounds::flow);
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> ManyFits.of(generated, new DataSet("none", Map.of()), METHOD, 9));
    assertTrue(e.getMessage().contains("fit an artifact"), e.getMessage());
  }
}
