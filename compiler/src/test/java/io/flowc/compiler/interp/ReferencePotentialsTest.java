package io.flowc.compiler.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * examples/pot1..pot4.flow reproduce the notebook's potentials: every {@code potential_at}
 * point of {@code reference/potentials.json} to 1e-12 relative, or 1e-12 absolute where the
 * reference is 0.
 */
class ReferencePotentialsTest {
  private static final double TOLERANCE = 1e-12;

  @TestFactory
  Stream<DynamicTest> examplesReproduceTheReferencePotentials() throws Exception {
    List<DynamicTest> tests = new ArrayList<>();
    for (String name : List.of("pot1", "pot2", "pot3", "pot4")) {
      JsonNode points = TestPaths.potential(name).path("potential_at");
      assertTrue(points.isArray() && points.size() > 0, () -> "reference/potentials.json has no potential_at points for " + name);
      Path file = TestPaths.example(name);
      CheckedModel model = FrontEnd.check(new SourceFile(file.getFileName().toString(), Files.readString(file)));
      Interpreter interpreter = new Interpreter(model);
      for (JsonNode point : points) {
        double[] z = new double[point.path("z").size()];
        for (int i = 0; i < z.length; i++) {
          z[i] = point.path("z").get(i).doubleValue();
        }
        double expected = point.path("potential").doubleValue();
        tests.add(DynamicTest.dynamicTest(name + " at " + Arrays.toString(z), () -> {
          Interpreter.Evaluation ev = interpreter.evaluate(z);
          double tolerance = expected == 0 ? TOLERANCE : TOLERANCE * Math.abs(expected);
          assertEquals(expected, ev.potential(), tolerance, "potential");
          assertEquals(-expected, ev.logp(), tolerance, "logp");
        }));
      }
    }
    return tests.stream();
  }
}
