package io.flowc.compiler.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.flowc.compiler.Goldens;
import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.SourceFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The parse corpus: {@code parse/good/NAME.flow} must parse and check, and print as
 * {@code NAME.tree}; {@code parse/bad/NAME.flow} must be refused with exactly the diagnostics
 * rendered in {@code NAME.err}. Run with {@code -Dflowc.updateGoldens=true} to rewrite the
 * expected files from the current output (then read every changed file before committing it).
 */
class ParseCorpusTest {
  private static final Path CORPUS = TestPaths.testResources().resolve("parse");

  @TestFactory
  Stream<DynamicTest> goodInputsPrintTheirExpectedTree() throws IOException {
    return inputs("good").map(flow -> DynamicTest.dynamicTest(flow.getFileName().toString(), flow.toUri(), () -> {
      SourceFile source = read(flow);
      ModelParsing.Result parsed = ModelParsing.parse(source);
      if (!parsed.ok()) {
        fail(flow + " should parse but gives:\n" + new CompileException(parsed.diagnostics()).render());
      }
      FrontEnd.Analysis analysis = FrontEnd.analyze(source);
      if (!analysis.ok()) {
        fail(flow + " should check but gives:\n" + new CompileException(analysis.diagnostics()).render());
      }
      compare(sibling(flow, ".tree"), AstPrinter.print(parsed.model()));
    }));
  }

  @TestFactory
  Stream<DynamicTest> badInputsGiveTheirExpectedDiagnostics() throws IOException {
    return inputs("bad").map(flow -> DynamicTest.dynamicTest(flow.getFileName().toString(), flow.toUri(), () -> {
      FrontEnd.Analysis analysis = FrontEnd.analyze(read(flow));
      assertFalse(analysis.ok(), () -> flow + " should be refused but was accepted:\n"
          + AstPrinter.print(analysis.model().ast()));
      compare(sibling(flow, ".err"), new CompileException(analysis.diagnostics()).render() + "\n");
    }));
  }

  @Test
  void corpusIsThere() throws IOException {
    assertTrue(inputs("good").count() >= 10, "too few good inputs under " + CORPUS);
    assertTrue(inputs("bad").count() >= 20, "too few bad inputs under " + CORPUS);
  }

  @Test
  void everyExpectedFileHasItsInput() throws IOException {
    for (String kind : List.of("good", "bad")) {
      try (Stream<Path> files = Files.list(CORPUS.resolve(kind))) {
        for (Path p : files.toList()) {
          String name = p.getFileName().toString();
          if (!name.endsWith(".flow")) {
            assertTrue(Files.exists(sibling(p, ".flow")), p + " has no .flow input beside it");
          }
        }
      }
    }
  }

  private static Stream<Path> inputs(String kind) throws IOException {
    try (Stream<Path> files = Files.list(CORPUS.resolve(kind))) {
      return files.filter(p -> p.getFileName().toString().endsWith(".flow")).sorted().toList().stream();
    }
  }

  private static SourceFile read(Path flow) throws IOException {
    return new SourceFile(flow.getFileName().toString(), Files.readString(flow, StandardCharsets.UTF_8));
  }

  private static Path sibling(Path file, String extension) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return file.resolveSibling(name.substring(0, dot) + extension);
  }

  private static void compare(Path expectedFile, String actual) throws IOException {
    Goldens.assertMatches(expectedFile, actual);
  }
}
