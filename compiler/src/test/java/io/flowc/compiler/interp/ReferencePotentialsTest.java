package io.flowc.compiler.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * examples/pot1..pot4.flow reproduce the notebook's potentials: every {@code potential_at}
 * point of {@code reference/potentials.json} (in the shared folder, system property
 * {@code flowc.shared.dir}) to 1e-12 relative, or 1e-12 absolute where the reference is 0.
 */
class ReferencePotentialsTest {
  private static final double TOLERANCE = 1e-12;

  @TestFactory
  Stream<DynamicTest> examplesReproduceTheReferencePotentials() throws Exception {
    Path shared = TestPaths.sharedDir();
    if (!Files.isDirectory(shared)) {
      // a leaf that is skipped, so that the reason shows in the report
      String reason = "skipped: no shared folder at " + shared + " (set -Dflowc.shared.dir to the folder holding reference/)";
      return Stream.of(DynamicTest.dynamicTest("reference data", () -> Assumptions.abort(reason)));
    }
    Path json = shared.resolve("reference/potentials.json");
    assertTrue(Files.isRegularFile(json), () -> "the shared folder has no " + json);
    JsonNode potentials = new ObjectMapper().readTree(json.toFile()).path("potentials");
    List<DynamicTest> tests = new ArrayList<>();
    for (String name : List.of("pot1", "pot2", "pot3", "pot4")) {
      JsonNode points = potentials.path(name).path("potential_at");
      assertTrue(points.isArray() && points.size() > 0, () -> json + " has no potential_at points for " + name);
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
