package io.flowc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flowc.bench.baseline.HandWrittenPlanarPot1;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowKind;
import io.flowc.runtime.flow.FlowLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written W1 kernel computes the generated kernel's loss and gradient. */
class HandWrittenPlanarPot1Test {

  @Test
  void agreesWithTheGeneratedKernel() throws Exception {
    Path file = Path.of(System.getProperty("flowc.root.dir", ".."), "examples", "pot1.flow");
    var model = FrontEnd.check(new SourceFile(file.toString(), Files.readString(file)));
    for (int flows : new int[] {1, 2, 8}) {
      FlowKernel generated = Compilation.loadFlow(model, FlowFormulaParsing.parse("planar*" + flows));
      FlowKernel hand = new HandWrittenPlanarPot1(flows);
      assertEquals(generated.parameterCount(), hand.parameterCount());
      FlowLayout layout = FlowLayout.of(Collections.nCopies(flows, FlowKind.PLANAR), 2);
      Random random = new Random(flows);
      for (int trial = 0; trial < 10; trial++) {
        double[] theta = layout.initialParameters(1.0, random.nextLong());
        int draws = 1 + random.nextInt(100);
        double[] eps = new double[2 * draws];
        for (int i = 0; i < eps.length; i++) {
          eps[i] = random.nextGaussian();
        }
        double[] g1 = new double[theta.length];
        double[] g2 = new double[theta.length];
        double expected = generated.lossGradient(theta, eps, draws, g1, new double[generated.workspaceSize()]);
        double actual = hand.lossGradient(theta, eps, draws, g2, new double[hand.workspaceSize()]);
        assertEquals(expected, actual, 1e-10 * Math.max(1, Math.abs(expected)), "loss, planar*" + flows);
        for (int i = 0; i < theta.length; i++) {
          assertEquals(g1[i], g2[i], 1e-8 * Math.max(1, Math.abs(g1[i])), "gradient " + layout.elementNames().get(i));
        }
      }
    }
  }
}
