package io.flowc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flowc.bench.baseline.HandWrittenPlanarPot1;
import io.flowc.bench.baseline.HandWrittenPlanarPot1BatchMajor;
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

  /** Draws inner, flows outer: the same operations per draw and every sum in draw order, so the same bits. */
  @Test
  void batchMajorEqualsPerDrawBitForBit() {
    for (int flows : new int[] {1, 3, 8}) {
      FlowKernel perDraw = new HandWrittenPlanarPot1(flows);
      FlowKernel batchMajor = new HandWrittenPlanarPot1BatchMajor(flows);
      FlowLayout layout = FlowLayout.of(Collections.nCopies(flows, FlowKind.PLANAR), 2);
      Random random = new Random(100 + flows);
      int block = HandWrittenPlanarPot1BatchMajor.BLOCK;
      for (int draws : new int[] {1, 7, 100, block, 2 * block + 5}) {
        double[] theta = layout.initialParameters(1.0, random.nextLong());
        double[] eps = new double[2 * draws];
        for (int i = 0; i < eps.length; i++) {
          eps[i] = random.nextGaussian();
        }
        double[] g1 = new double[theta.length];
        double[] g2 = new double[theta.length];
        double expected = perDraw.lossGradient(theta, eps, draws, g1, new double[perDraw.workspaceSize()]);
        double actual = batchMajor.lossGradient(theta, eps, draws, g2, new double[batchMajor.workspaceSize()]);
        String at = "planar*" + flows + ", " + draws + " draws";
        assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual), at + ": loss");
        for (int i = 0; i < theta.length; i++) {
          assertEquals(Double.doubleToRawLongBits(g1[i]), Double.doubleToRawLongBits(g2[i]),
              at + ": gradient " + layout.elementNames().get(i));
        }
      }
    }
  }

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
