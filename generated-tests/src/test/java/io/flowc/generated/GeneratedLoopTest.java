package io.flowc.generated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.data.DataException;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import io.flowc.runtime.flow.FlowKernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A model with a loop over t compiled by the annotation processor on 200 points: T is free
 * (docs/language.md, "Sizes bound at run time"), so the generated classes take a series of any
 * length the loop can run on, with the same bits as the run-time path compiled for those data;
 * a series too short for the loop is refused with the length it needs.
 */
class GeneratedLoopTest {
  private static final Path MODEL = TestPaths.example("arma11");
  private static final double[] Z = {0.1, 0.6, 0.2, Math.log(0.15)};

  private static DataSet data() throws Exception {
    return StanJson.read(Path.of(MODEL.toString().replace(".flow", ".json")));
  }

  /** The first {@code length} points of arma11's series. */
  private static DataSet first(int length) throws Exception {
    double[] y = Arrays.copyOf(data().get("y").elements(), length);
    return StanJson.parse("{\"T\": " + length + ", \"y\": " + Arrays.toString(y) + "}", "first" + length + ".json");
  }

  private static void assertSameBits(LogDensity generated, LogDensity runTime, String where) {
    double[] g1 = new double[4];
    double[] g2 = new double[4];
    double v1 = generated.logDensityGradient(Z, g1, new double[generated.workspaceSize()]);
    double v2 = runTime.logDensityGradient(Z, g2, new double[runTime.workspaceSize()]);
    assertEquals(Double.doubleToLongBits(v2), Double.doubleToLongBits(v1), where);
    for (int i = 0; i < 4; i++) {
      assertEquals(Double.doubleToLongBits(g2[i]), Double.doubleToLongBits(g1[i]), where + ", gradient " + i);
    }
  }

  @Test
  void theGeneratedLoopEqualsTheRunTimeCompiledOne() throws Exception {
    assertTrue(Flowc_Arma.dataLayout().encode().endsWith("T:int:,y:real:T"), Flowc_Arma.dataLayout().encode());
    assertSameBits(Flowc_Arma.model(data()), Compilation.load(TestPaths.checkExample(MODEL)), "200 points");
  }

  @Test
  void seriesOfOtherLengthsGiveTheBitsOfTheModelCompiledForThem() throws Exception {
    for (int length : new int[] {2, 120, 403}) {
      DataSet series = length <= 200 ? first(length) : StanJson.parse("{\"T\": " + length + ", \"y\": "
          + Arrays.toString(new Random(length).doubles(length).toArray()) + "}", "random.json");
      var fixed = FrontEnd.check(new SourceFile(MODEL.toString(), Files.readString(MODEL)), series);
      assertSameBits(Flowc_Arma.model(series), Compilation.load(fixed), length + " points");
      FlowKernel generated = Flowc_Arma.flow("scale-loc", series);
      FlowKernel runTime = Compilation.loadFlow(fixed, FlowFormulaParsing.parse("scale-loc"));
      double[] theta = new Random(3).doubles(generated.parameterCount(), -0.2, 0.2).toArray();
      double[] eps = new Random(4).doubles(12).toArray();
      double[] h1 = new double[theta.length];
      double[] h2 = new double[theta.length];
      double l1 = generated.lossGradient(theta, eps, 3, h1, new double[generated.workspaceSize()]);
      double l2 = runTime.lossGradient(theta, eps, 3, h2, new double[runTime.workspaceSize()]);
      assertEquals(Double.doubleToLongBits(l2), Double.doubleToLongBits(l1), length + " points: flow loss");
      for (int i = 0; i < theta.length; i++) {
        assertEquals(Double.doubleToLongBits(h2[i]), Double.doubleToLongBits(h1[i]), length + " points: flow gradient " + i);
      }
    }
  }

  @Test
  void aSeriesTooShortForTheLoopIsRefused() {
    DataException e = assertThrows(DataException.class,
        () -> Flowc_Arma.model(StanJson.parse("{\"T\": 1, \"y\": [1]}", "short.json")));
    assertEquals("'T' is 1 in short.json; the model needs T >= 2 (its loop over t from 1 to T runs at least once)",
        e.getMessage());
  }
}
