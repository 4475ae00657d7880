package io.flowc.generated;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flowc.compiler.Goldens;
import io.flowc.compiler.TestPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The sources the processor wrote for pot1 in this build, against goldens kept in the source tree
 * ({@code -Dflowc.updateGoldens=true} rewrites them): a change to generated code shows in review,
 * and the output is the same from build to build.
 */
class GeneratedSourceGoldenTest {
  static final Path GOLDENS = TestPaths.repoRoot().resolve("generated-tests/src/test/resources/goldens/processor");

  static Path generatedDir() {
    String dir = System.getProperty("flowc.generated.dir");
    return dir != null ? Path.of(dir)
        : TestPaths.repoRoot().resolve("generated-tests/target/generated-test-sources/test-annotations");
  }

  @Test
  void pot1() throws IOException {
    Path pkg = generatedDir().resolve("io/flowc/generated");
    List<String> files;
    try (Stream<Path> list = Files.list(pkg)) {
      files = list.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("Flowc_Pot1")).sorted().toList();
    }
    assertEquals(List.of("Flowc_Pot1.java", "Flowc_Pot1_Flow0.java", "Flowc_Pot1_Flow1.java", "Flowc_Pot1_Model.java"),
        files, "the classes generated for pot1 with two formulas");
    for (String file : files) {
      Goldens.assertMatches(GOLDENS.resolve("io.flowc.generated." + file),
          Files.readString(pkg.resolve(file), StandardCharsets.UTF_8));
    }
  }
}
