package io.flowc.generated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.DerivedQuantities;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.Reported;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What generated classes report of a draw ({@code reported}): the parameters as users see them,
 * bounds computed from other parameters and data included, then the derived quantities; the same
 * bits as the run-time path (the IR's evaluator on the model's source), on the data bound.
 */
class GeneratedReportedTest {
  private static final String DATA = "{\"N\": 3, \"lo\": [-1, 0.5, 2], \"y\": [0.3, 1.1, 2.5]}";
  private static final String OTHER = "{\"N\": 3, \"lo\": [4, -3, 0], \"y\": [0.3, 1.1, 2.5]}";

  private static void assertSameBitsAsTheSource(Reported generated, CheckedModel source, long seed) {
    Reported runTime = DerivedQuantities.of(source);
    assertEquals(runTime.names(), generated.names());
    Random random = new Random(seed);
    for (int point = 0; point < 5; point++) {
      double[] z = new double[source.dimension()];
      for (int i = 0; i < z.length; i++) {
        z[i] = random.nextGaussian();
      }
      double[] expected = new double[runTime.names().size()];
      double[] got = new double[expected.length];
      runTime.values(z, expected);
      generated.values(z, got);
      for (int i = 0; i < got.length; i++) {
        assertEquals(Double.doubleToLongBits(expected[i]), Double.doubleToLongBits(got[i]), runTime.names().get(i));
      }
      double[] constrained = new double[z.length];
      generated.layout().constrain(z, constrained);
      for (int i = 0; i < z.length; i++) {
        assertEquals(Double.doubleToLongBits(expected[i]), Double.doubleToLongBits(constrained[i]), "layout " + i);
      }
    }
  }

  @Test
  void aModelWithDataReportsOnTheDataItIsBoundTo() throws Exception {
    for (String json : List.of(DATA, OTHER)) {
      DataSet data = StanJson.parse(json, "d.json");
      Reported reported = Flowc_Bounds.reported(data);
      assertEquals(List.of("a", "b", "tau[0]", "tau[1]", "tau[2]", "c", "total", "shifted[0]", "shifted[1]",
          "shifted[2]"), reported.names());
      assertEquals(List.of("total", "shifted[0]", "shifted[1]", "shifted[2]"), Flowc_Bounds.derivedNames());
      assertSameBitsAsTheSource(reported, FrontEnd.check(new SourceFile("bounds.flow", Bounds.CODE), data), 7);
    }
    assertThrows(IllegalStateException.class, Flowc_Bounds::reported);
    assertTrue(Flowc_Bounds.parameterLayout().hasComputedBounds());
  }

  @Test
  void aModelWithoutDataReportsItsComputedBoundsAndDerivedQuantities() throws Exception {
    Reported reported = Flowc_Triangle.reported();
    assertEquals(List.of("a", "b", "total"), reported.names());
    assertSameBitsAsTheSource(reported, FrontEnd.check(new SourceFile("triangle.flow", Triangle.CODE)), 3);
    double[] x = new double[3];
    reported.values(new double[] {0, 0}, x);
    assertEquals(0.5, x[0]);
    assertEquals(0.25, x[1]);
    assertEquals(0.75, x[2]);
  }
}
