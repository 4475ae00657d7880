package io.flowc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flowc.bench.baseline.HandWrittenNsfPot1;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The compiled spline-coupling stack computes the loss and gradient of the hand-written one, whose
 * spline and backward pass were derived without the compiler: weights matched by name.
 */
class HandWrittenNsfAgreementTest {

  @Test
  void generatedNsfKernelAgreesWithTheHandWrittenOne() throws Exception {
    Path file = Path.of(System.getProperty("flowc.root.dir", ".."), "examples", "pot1.flow");
    var model = FrontEnd.check(new SourceFile(file.toString(), Files.readString(file)));
    FlowFormula formula = FlowFormulaParsing.parse("nsf(bins=5,bound=3,hidden=6,layers=2)*3");
    FlowKernel generated = Compilation.loadFlow(model, formula);
    FlowLayout layout = formula.layout(2);
    FlowKernel hand = HandWrittenNsfPot1.inLayout(new HandWrittenNsfPot1(3, 6, 2, 5, 3.0, 4), layout.elementNames());
    List<String> names = layout.elementNames();
    Random random = new Random(5);
    for (int trial = 0; trial < 5; trial++) {
      double[] theta = new double[names.size()];
      for (int i = 0; i < theta.length; i++) {
        theta[i] = 0.8 * random.nextGaussian();
      }
      int draws = 1 + random.nextInt(40);
      double[] eps = new double[2 * draws];
      for (int i = 0; i < eps.length; i++) {
        eps[i] = 1.5 * random.nextGaussian();
      }
      double[] g = new double[theta.length];
      double[] handG = new double[theta.length];
      double loss = generated.lossGradient(theta, eps, draws, g, new double[generated.workspaceSize()]);
      double handLoss = hand.lossGradient(theta, eps, draws, handG, new double[hand.workspaceSize()]);
      assertEquals(handLoss, loss, 1e-10 * Math.max(1, Math.abs(handLoss)), "loss");
      for (int i = 0; i < theta.length; i++) {
        double expected = handG[i];
        assertEquals(expected, g[i], 1e-8 * Math.max(1, Math.abs(expected)), names.get(i));
      }
    }
  }
}
