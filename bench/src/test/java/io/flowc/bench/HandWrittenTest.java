package io.flowc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flowc.bench.baseline.HandWritten;
import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.LogDensity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hand-written baselines compute what the models say: checked against the generated code. */
class HandWrittenTest {

  @ParameterizedTest
  @ValueSource(strings = {"pot1", "pot2", "pot3", "pot4", "normal100"})
  void baselineAgreesWithTheGeneratedCode(String name) throws IOException, CompileException {
    Path file = Path.of(System.getProperty("flowc.root.dir", ".."), "examples", name + ".flow");
    LogDensity generated = Compilation.load(FrontEnd.check(new SourceFile(file.toString(), Files.readString(file))));
    LogDensity baseline = HandWritten.of(name);
    int n = generated.dimension();
    assertEquals(n, baseline.dimension());
    Random random = new Random(7);
    for (int k = 0; k < 200; k++) {
      double[] z = new double[n];
      for (int i = 0; i < n; i++) {
        z[i] = 3 * random.nextGaussian();
      }
      double[] gGenerated = new double[n];
      double[] gBaseline = new double[n];
      double expected = generated.logDensityGradient(z, gGenerated, new double[generated.workspaceSize()]);
      double actual = baseline.logDensityGradient(z, gBaseline, new double[0]);
      assertEquals(expected, actual, 1e-12 * Math.max(1, Math.abs(expected)), name + " value at point " + k);
      assertEquals(expected, baseline.logDensity(z, new double[0]), 1e-12 * Math.max(1, Math.abs(expected)));
      for (int i = 0; i < n; i++) {
        assertEquals(gGenerated[i], gBaseline[i], 1e-10 * Math.max(1, Math.abs(gGenerated[i])),
            name + " gradient " + i + " at point " + k);
      }
    }
  }
}
