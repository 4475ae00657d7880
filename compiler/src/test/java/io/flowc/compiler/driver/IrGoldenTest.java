package io.flowc.compiler.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.Goldens;
import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.IrPrinter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The IR of the examples, pinned as text, and the cost of their gradients. */
class IrGoldenTest {

  static CheckedModel example(String name) throws IOException, CompileException {
    Path file = TestPaths.example(name);
    return FrontEnd.check(new SourceFile("examples/" + name + ".flow", Files.readString(file)), TestPaths.exampleData(file));
  }

  @ParameterizedTest
  @ValueSource(strings = {"pot1", "kitchen_sink"})
  void irTextMatchesItsGolden(String name) throws IOException, CompileException {
    Path dir = TestPaths.testResources().resolve("goldens/ir");
    CheckedModel model = example(name);
    Goldens.assertMatches(dir.resolve(name + ".ir"), IrPrinter.print(Compilation.value(model)));
    Goldens.assertMatches(dir.resolve(name + ".grad.ir"), IrPrinter.print(Compilation.valueAndGradient(model)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"pot1", "kitchen_sink"})
  void irTextIsTheSameFromRunToRun(String name) throws IOException, CompileException {
    String first = IrPrinter.print(Compilation.valueAndGradient(example(name)));
    for (int i = 0; i < 3; i++) {
      assertEquals(first, IrPrinter.print(Compilation.valueAndGradient(example(name))));
    }
  }

  static Stream<String> examples() throws IOException {
    try (Stream<Path> files = Files.list(TestPaths.examples())) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".flow"))
          .map(n -> n.substring(0, n.length() - ".flow".length()))
          .sorted().toList().stream();
    }
  }

  /**
   * Reverse mode costs a small constant times the value: value-and-gradient has at most four
   * times the nodes of the value alone (DESIGN section 2). The ratios are printed for the record.
   */
  @ParameterizedTest
  @MethodSource("examples")
  void gradientCostsAtMostFourTimesTheValue(String name) throws IOException, CompileException {
    CheckedModel model = example(name);
    IrFunction value = Compilation.value(model);
    IrFunction both = Compilation.valueAndGradient(model);
    double ratio = (double) both.liveNodes().size() / value.liveNodes().size();
    System.out.printf(Locale.ROOT, "gradient cost %-14s value %4d nodes, value+gradient %4d nodes, ratio %.2f%n",
        name, value.liveNodes().size(), both.liveNodes().size(), ratio);
    assertTrue(ratio <= 4.0, name + ": value+gradient has " + both.liveNodes().size() + " nodes, value "
        + value.liveNodes().size());
  }
}
