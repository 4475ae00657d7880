package io.flowc.generated;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.flow.RepeatedFlows;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.interp.Interpreter;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.data.DataException;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import io.flowc.runtime.nfvi.Fit;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.optim.Optimizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A model with data compiled by the processor: bound at run time, the same bits as the run-time path. */
class GeneratedDataModelTest {
  private static final Path MODEL = TestPaths.example("kidiq_interaction");

  private static DataSet data() throws Exception {
    return StanJson.read(Path.of(MODEL.toString().replace(".flow", ".json")));
  }

  @Test
  void theGeneratedModelOnItsDataEqualsTheRunTimeCompiledOne() throws Exception {
    LogDensity generated = Flowc_Kidiq.model(data());
    CheckedModel checked = TestPaths.checkExample(MODEL);
    assertSameBits(generated, Compilation.load(checked), Z);
  }

  private static final double[] Z = {-10, 50, 0.9, -0.5, Math.log(18)};

  /** Value and gradient at z, the same bits from both; returns the value. */
  private static double assertSameBits(LogDensity generated, LogDensity runTime, double[] z) {
    double[] g1 = new double[z.length];
    double[] g2 = new double[z.length];
    double v1 = generated.logDensityGradient(z, g1, new double[generated.workspaceSize()]);
    double v2 = runTime.logDensityGradient(z, g2, new double[runTime.workspaceSize()]);
    assertEquals(Double.doubleToLongBits(v2), Double.doubleToLongBits(v1));
    for (int i = 0; i < z.length; i++) {
      assertEquals(Double.doubleToLongBits(g2[i]), Double.doubleToLongBits(g1[i]), "gradient " + i);
    }
    return v1;
  }

  @Test
  void aFitRunsOnBoundDataAndTheUnboundFormsRefuse() throws Exception {
    Nfvi nfvi = Flowc_Kidiq.nfvi("scale-loc", data());
    Fit fit = nfvi.fit(new Nfvi.Settings(200, Optimizers.byName("adam", 0.05), 2, 1, 1, Nfvi.Settings.NO_CLIPPING,
        List.of()));
    assertEquals(Fit.Status.FINISHED, fit.status(), fit.message());
    IllegalStateException e = assertThrows(IllegalStateException.class, Flowc_Kidiq::model);
    assertTrue(e.getMessage().contains("declares data"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> Flowc_Kidiq.flow("scale-loc"));
    DataException wrong = assertThrows(DataException.class,
        () -> Flowc_Kidiq.bind(StanJson.parse("{\"N\": 3, \"kid_score\": [1, 2], \"mom_iq\": [1, 2, 3], \"mom_hs\": [0, 1, 1]}",
            "short.json")));
    assertTrue(wrong.getMessage().contains("'kid_score' is an array of 2 in short.json; the model declares real kid_score[N]"
        + " (real kid_score[3])"), wrong.getMessage());
  }

  /**
   * A neural formula's two kernels, bound to the data together: fits of 1 and 17 draws a step (the
   * looped kernel, then the unrolled one) are the run-time path's fits bit for bit, whose kernel is
   * compiled for the step's draws.
   */
  @Test
  void aNeuralFitOnBoundDataIsTheRunTimeFitAtFewDrawsAndAtMany() throws Exception {
    String formula = "realnvp(hidden=4)*4";
    CheckedModel checked = TestPaths.checkExample(MODEL);
    FlowFormula parsed = FlowFormulaParsing.parse(formula);
    assertTrue(RepeatedFlows.dependsOnDrawsPerCall(parsed.flows(), checked.dimension()), "two kernels");
    for (int nmc : new int[] {1, 17}) {
      Nfvi.Settings settings = new Nfvi.Settings(30, Optimizers.byName("adam", 0.01), nmc, 0.5, 3,
          Nfvi.Settings.NO_CLIPPING, List.of());
      Nfvi runTime = new Nfvi(Compilation.loadCountedFlow(checked, parsed, nmc).kernel(), Compilation.load(checked),
          Flowc_Kidiq.flowLayout(formula));
      Fit expected = runTime.fit(settings);
      Fit fit = Flowc_Kidiq.nfvi(formula, data()).fit(settings);
      assertEquals(Fit.Status.FINISHED, fit.status(), fit.message());
      assertArrayEquals(expected.history(), fit.history(), nmc + " draws: losses");
      assertArrayEquals(expected.parameters(), fit.parameters(), nmc + " draws: parameters");
    }
  }

  /** N counts rows only: the classes compiled for 434 children take data of any number of them. */
  @Test
  void dataOfAnotherSizeAreBoundWithoutRecompiling() throws Exception {
    DataSet small = StanJson.parse("{\"N\": 3, \"kid_score\": [65, 98, 85], \"mom_iq\": [121.1, 89.4, 115.4],"
        + " \"mom_hs\": [1, 1, 0]}", "small.json");
    LogDensity generated = Flowc_Kidiq.model(small);
    CheckedModel checked = FrontEnd.check(new SourceFile(MODEL.toString(), Files.readString(MODEL)), small);
    double v = assertSameBits(generated, Compilation.load(checked), Z);
    assertEquals(new Interpreter(checked).logp(Z), v, 1e-12 * Math.abs(v));
    assertEquals(v, generated.logDensity(Z, new double[generated.workspaceSize()]));
  }
}
