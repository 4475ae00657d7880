package io.flowc.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.interp.Interpreter;
import io.flowc.compiler.kernel.Kernel;
import io.flowc.compiler.testing.CentralDifferences;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.data.DataException;
import io.flowc.runtime.data.DataSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Loops up to a free size (docs/language.md, "Sizes bound at run time"): one code runs any T,
 * its scans' counts read at run time; bytecode, Java source, kernel interpreter and IR evaluator
 * agree bit for bit with each other and with the code compiled for each T's data, from the
 * smallest T the model allows; methods stay under 8000 bytes at T = 1000; the gradient matches
 * central differences; data too short for the model are refused with the size it needs.
 */
class FreeLengthLoopsTest {

  private static CheckedModel check(String text, DataSet data) throws Exception {
    return FrontEnd.check(new SourceFile("m.flow", text), data);
  }

  /** LoopsTest's recursions with T bound at run time, as artifacts and @FlowModel classes compile them. */
  private static CheckedModel free(int length, long seed) throws Exception {
    CheckedModel m = Compilation.freeSizes(check(LoopsTest.RECURSIONS, LoopsTest.series(length, seed)));
    assertTrue(m.dataLayout().encode().endsWith("T:int:,y:real:T"), m.dataLayout().encode());
    return m;
  }

  private static List<Kernel.Repeat> repeats(List<Kernel.Instr> body) {
    List<Kernel.Repeat> out = new ArrayList<>();
    for (Kernel.Instr instr : body) {
      if (instr instanceof Kernel.Repeat rp) {
        out.add(rp);
      } else if (instr instanceof Kernel.Call call) {
        out.addAll(repeats(call.body()));
      }
    }
    return out;
  }

  @Test
  void theLoopAndItsDerivativeRunACountReadAtRunTimeInOneCodeForEveryLength() throws Exception {
    List<Kernel.Repeat> loops = repeats(Compilation.kernels(free(10, 1)).gradient().body());
    assertEquals(2, loops.size(), "the loop and its derivative");
    for (Kernel.Repeat rp : loops) {
      assertFalse(rp.count().isConstant(), "count " + rp.count());
    }
    byte[] ten = BytecodeBackend.emit(Compilation.kernels(free(10, 1)), BytecodeBackend.JIT_PACKAGE + "FreeT");
    byte[] sixty = BytecodeBackend.emit(Compilation.kernels(free(60, 2)), BytecodeBackend.JIT_PACKAGE + "FreeT");
    assertArrayEquals(ten, sixty, "the class compiled on 10 points is the one compiled on 60");
  }

  @Test
  void everyBackendAgreesWithTheCodeCompiledForEachLengthFromTheShortest() throws Exception {
    for (int length : new int[] {2, 3, 17, 60}) {
      double[][] free = BackendAgreementTest.assertAgree("free T = " + length, free(length, 6));
      double[][] fixed = BackendAgreementTest.assertAgree("fixed T = " + length,
          check(LoopsTest.RECURSIONS, LoopsTest.series(length, 6)));
      for (int k = 0; k < free.length; k++) {
        for (int i = 0; i < free[k].length; i++) {
          assertEquals(Double.doubleToLongBits(fixed[k][i]), Double.doubleToLongBits(free[k][i]),
              "T = " + length + ", point " + k + (i == 0 ? ", value" : ", gradient " + (i - 1)));
        }
      }
    }
  }

  @Test
  void methodsStayUnder8000BytesOverAThousandIterations() throws Exception {
    byte[] bytecode = BytecodeBackend.emit(Compilation.kernels(free(1000, 6)),
        BytecodeBackend.JIT_PACKAGE + "FreeRecursions1000");
    for (Map.Entry<String, Integer> method : CodeSizes.of(bytecode).entrySet()) {
      assertTrue(method.getValue() < 8000, method.getKey() + " has " + method.getValue() + " bytes");
    }
  }

  /** A loop whose body is too large for one method: {@code lines} chained lets over the state. */
  private static String largeBody(int lines) {
    StringBuilder body = new StringBuilder("let a0 = tanh(phi * s + y[t - 1]);\n");
    for (int k = 1; k < lines; k++) {
      body.append("let a").append(k).append(" = tanh(").append(1 + 0.01 * k).append(" * a").append(k - 1)
          .append(" + phi * y[t] - ").append(0.001 * k).append(" * s);\n");
    }
    return "model big {\n data int T;\n data real y[T];\n param phi;\n phi ~ normal(0, 1);\n state s = 0;\n"
        + " for t in 1:T {\n" + body + " s = 0.5 * a" + (lines - 1) + " + 0.3 * s;\n y[t] ~ normal(s, 1);\n }\n}\n";
  }

  @Test
  void aBodyTooLargeForOneMethodIsCutIntoMethodsWithTheCountReadAtRunTime() throws Exception {
    String text = largeBody(40);
    DataSet data = LoopsTest.series(3, 8);
    CheckedModel free = Compilation.freeSizes(check(text, data));
    assertTrue(free.dataLayout().isDynamic(), free.dataLayout().encode());
    var split = io.flowc.compiler.kernel.KernelSplitter.split(Compilation.kernels(free).gradient());
    assertTrue(split.parts().stream().flatMap(List::stream).anyMatch(i -> i instanceof Kernel.Repeat rp
        && !rp.count().isConstant() && rp.body().stream().anyMatch(b -> b instanceof Kernel.Call)), "cut into calls");
    double[][] rows = BackendAgreementTest.assertAgree("a large body, T free", free);
    LogDensity fixed = Compilation.load(check(text, data));
    Random random = new Random(42);
    for (double[] row : rows) {
      double[] z = {random.nextGaussian()};
      double[] g = new double[1];
      double v = fixed.logDensityGradient(z, g, new double[fixed.workspaceSize()]);
      assertEquals(Double.doubleToLongBits(v), Double.doubleToLongBits(row[0]), "value");
      assertEquals(Double.doubleToLongBits(g[0]), Double.doubleToLongBits(row[1]), "gradient");
    }
  }

  @Test
  void gradientOverTwoHundredIterationsMatchesCentralDifferences() throws Exception {
    CheckedModel m = free(200, 4);
    LogDensity density = Compilation.load(m);
    Interpreter interpreter = new Interpreter(m);
    Random random = new Random(5);
    for (int k = 0; k < 3; k++) {
      double[] z = LoopsTest.point(random);
      double[] gradient = new double[5];
      double value = density.logDensityGradient(z, gradient, new double[density.workspaceSize()]);
      assertEquals(interpreter.logp(z), value, 1e-12 * Math.abs(value));
      CentralDifferences.assertGradient(gradient, interpreter::logp, z, 1e-4, 1e-6, "point " + k);
    }
  }

  @Test
  void seriesTooShortForTheModelAreRefusedWithTheLengthItNeeds() throws Exception {
    CheckedModel m = free(10, 1);
    DataException loop = assertThrows(DataException.class, () -> m.dataLayout().pack(LoopsTest.series(1, 1)));
    assertEquals("'T' is 1 in series.json; the model needs T >= 2 (its loop over t from 1 to T runs at least once)",
        loop.getMessage());
    String reads = "model m { data int T; data real y[T]; param mu; logp += -square(y[3] - mu); }";
    CheckedModel index = Compilation.freeSizes(check(reads, LoopsTest.series(10, 1)));
    assertEquals(">T:4:it reads 'y[3]',T:int:,y:real:T", index.dataLayout().encode());
    DataException element = assertThrows(DataException.class, () -> index.dataLayout().pack(LoopsTest.series(3, 1)));
    assertEquals("'T' is 3 in series.json; the model needs T >= 4 (it reads 'y[3]')", element.getMessage());
    assertEquals(index.dataLayout().encode(), io.flowc.runtime.data.DataLayout.decode(index.dataLayout().encode()).encode());
  }

  @Test
  void aLoopOverValuesOtherThanItsSizesDataKeepsItsSizeFixed() throws Exception {
    String let = "model m { data int T; data real y[T]; param mu; let z = 2 * y; "
        + "for t in 1:T { logp += -square(z[t] - mu * z[t - 1]); } }";
    assertEquals("T:int:=10,y:real:10", Compilation.freeSizes(check(let, LoopsTest.series(10, 1))).dataLayout().encode());
    String other = "model m { data int T; data int N; data real y[T]; data real x[N]; param mu; "
        + "for t in 1:T { logp += -square(y[t] - mu * x[t - 1]); } }";
    DataSet data = io.flowc.runtime.data.StanJson.parse("{\"T\": 3, \"N\": 4, \"y\": [1, 2, 3], \"x\": [1, 2, 3, 4]}",
        "d.json");
    assertEquals("T:int:=3,N:int:=4,y:real:3,x:real:4", Compilation.freeSizes(check(other, data)).dataLayout().encode());
  }
}
