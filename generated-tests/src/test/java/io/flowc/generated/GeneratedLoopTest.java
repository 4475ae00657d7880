package io.flowc.generated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.driver.Compilation;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.data.DataException;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A model with a loop over t compiled by the annotation processor: the same bits as the run-time
 * path on its data; data of another length refused, since a loop's length is fixed when it is
 * compiled (docs/language.md, "Loops over time").
 */
class GeneratedLoopTest {
  private static final Path MODEL = TestPaths.example("arma11");

  @Test
  void theGeneratedLoopEqualsTheRunTimeCompiledOne() throws Exception {
    DataSet data = StanJson.read(Path.of(MODEL.toString().replace(".flow", ".json")));
    LogDensity generated = Flowc_Arma.model(data);
    LogDensity runTime = Compilation.load(TestPaths.checkExample(MODEL));
    double[] z = {0.1, 0.6, 0.2, Math.log(0.15)};
    double[] g1 = new double[4];
    double[] g2 = new double[4];
    double v1 = generated.logDensityGradient(z, g1, new double[generated.workspaceSize()]);
    double v2 = runTime.logDensityGradient(z, g2, new double[runTime.workspaceSize()]);
    assertEquals(Double.doubleToLongBits(v2), Double.doubleToLongBits(v1));
    for (int i = 0; i < 4; i++) {
      assertEquals(Double.doubleToLongBits(g2[i]), Double.doubleToLongBits(g1[i]), "gradient " + i);
    }
  }

  @Test
  void dataOfAnotherLengthAreRefused() {
    DataException e = assertThrows(DataException.class,
        () -> Flowc_Arma.model(StanJson.parse("{\"T\": 3, \"y\": [1, 2, 3]}", "short.json")));
    assertTrue(e.getMessage().contains("the model was compiled with T = 200"), e.getMessage());
  }
}
