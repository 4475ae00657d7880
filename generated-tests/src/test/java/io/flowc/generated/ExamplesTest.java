package io.flowc.generated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.interp.Interpreter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every bundled example compiles and has a finite density around the origin. */
class ExamplesTest {

  static List<Path> examples() throws IOException {
    Path dir = Path.of(System.getProperty("flowc.root.dir", ".."), "examples");
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".flow")).sorted().toList();
    }
  }

  @Test
  void everyExampleChecksAndEvaluatesFinitely() throws IOException, CompileException {
    List<Path> examples = examples();
    assertTrue(examples.size() >= 6, "expected the bundled examples, found " + examples);
    Random random = new Random(20261129);
    for (Path file : examples) {
      CheckedModel model = TestPaths.checkExample(file);
      Interpreter interpreter = new Interpreter(model);
      for (int k = 0; k < 20; k++) {
        double[] z = new double[model.dimension()];
        for (int i = 0; i < z.length; i++) {
          z[i] = k == 0 ? 0 : random.nextGaussian();
        }
        Interpreter.Evaluation e = interpreter.evaluate(z);
        assertTrue(Double.isFinite(e.potential()), file + " at point " + k + ": " + e);
        assertEquals(-e.potential(), e.logp(), 0.0, file.toString());
      }
    }
  }
}
