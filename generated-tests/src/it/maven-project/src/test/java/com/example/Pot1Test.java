package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.runtime.LogDensity;
import io.flowc.runtime.nfvi.Fit;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.optim.Optimizers;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The generated classes, used as a user would, with the runtime alone on the class path. */
class Pot1Test {
  @Test
  void theCompilerIsNotOnTheClassPath() {
    assertThrows(ClassNotFoundException.class, () -> Class.forName("io.flowc.compiler.driver.Compilation"));
    assertThrows(ClassNotFoundException.class, () -> Class.forName("com.palantir.javapoet.JavaFile"));
  }

  @Test
  void theLogDensityIsPot1s() {
    LogDensity model = Flowc_Pot1.model();
    assertEquals(List.of("z[0]", "z[1]"), Flowc_Pot1.elementNames());
    double[] gradient = new double[2];
    // the value and gradient `flowc check examples/pot1.flow --at 2.0,0.3` prints
    double logp = model.logDensityGradient(new double[] {2.0, 0.3}, gradient, new double[model.workspaceSize()]);
    assertEquals(-0.0015644795807813745, logp, 1e-15);
    assertEquals(-0.13829559162809332, gradient[0], 1e-15);
    assertEquals(-0.020744338371942093, gradient[1], 1e-15);
  }

  @Test
  void planarFlowsFitPot1() {
    Nfvi nfvi = Flowc_Pot1.nfvi("planar*8");
    Fit fit = nfvi.fit(new Nfvi.Settings(3000, Optimizers.byName("adam", 0.01), 10, 1.0, 42,
        Nfvi.Settings.NO_CLIPPING, List.of()));
    assertEquals(Fit.Status.FINISHED, fit.status());
    // log Z = 1.8775: the loss cannot go below -1.8775 (up to noise), and a fit gets close
    double loss = nfvi.evaluate(fit.parameters(), 10000, 42).finalLoss();
    assertTrue(loss > -1.9 && loss < -1.3, "final loss " + loss);
  }

  @Test
  void theInlineModelHasBothItsFlows() {
    assertEquals(List.of("planar*4", "radial*2-loc"), Flowc_Ring.flows());
    assertEquals(Flowc_Ring.flowLayout("radial*2-loc").parameterCount(), Flowc_Ring.flow("radial*2-loc").parameterCount());
  }
}
