package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class IrCommandTest {

  @Test
  void printsTheSimplifiedPotentialOfPot1() {
    Cli.Result r = Cli.run("ir", Cli.example("pot1"));
    assertEquals(0, r.code(), r.toString());
    List<String> lines = r.outLines();
    assertEquals("%0 = input z : real[2]", lines.get(0));
    // the stability rewrite turned log(exp(a) + exp(b)) into logaddexp
    assertTrue(r.out().contains("= logaddexp "), r.out());
    assertFalse(r.out().contains("= log "), r.out());
    assertTrue(lines.get(lines.size() - 2).startsWith("potential = %"), r.out());
    assertTrue(lines.get(lines.size() - 1).matches("# nodes: \\d+"), r.out());
    assertEquals("", r.err());
  }

  @Test
  void gradAddsLogpAndTheGradientAndTheirCost() {
    Cli.Result r = Cli.run("ir", Cli.example("pot1"), "--grad");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("\nlogp = %"), r.out());
    assertTrue(r.out().contains("\ngrad.z = %"), r.out());
    String last = r.outLines().get(r.outLines().size() - 1);
    assertTrue(last.matches("# nodes: value \\d+, value and gradient \\d+ \\(ratio \\d\\.\\d\\d\\)"), last);
  }

  @Test
  void loweredShowsTheFormulaAsWritten() {
    Cli.Result r = Cli.run("ir", Cli.example("pot1"), "--lowered");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("= log "), r.out());
    assertTrue(r.out().contains("= exp "), r.out());
    assertFalse(r.out().contains("logaddexp"), r.out());
  }

  @Test
  void outputIsTheSameFromRunToRun() {
    String first = Cli.run("ir", Cli.example("kitchen_sink"), "--grad").out();
    assertEquals(first, Cli.run("ir", Cli.example("kitchen_sink"), "--grad").out());
  }

  @Test
  void userErrorsExitWithTwo() {
    Cli.Result missing = Cli.run("ir", "no-such-model.flow");
    assertEquals(2, missing.code(), missing.toString());
    assertEquals("error: no-such-model.flow: no such file", missing.errLines().get(0));
    Cli.Result both = Cli.run("ir", Cli.example("pot1"), "--grad", "--lowered");
    assertEquals(2, both.code(), both.toString());
    assertTrue(both.err().startsWith("error: --grad and --lowered cannot be combined"), both.toString());
  }
}
