package io.flowc.compiler.frontend;

import static io.flowc.runtime.flow.FlowKind.HH;
import static io.flowc.runtime.flow.FlowKind.LOC;
import static io.flowc.runtime.flow.FlowKind.PLANAR;
import static io.flowc.runtime.flow.FlowKind.RADIAL;
import static io.flowc.runtime.flow.FlowKind.SCALE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.Diagnostic;
import io.flowc.runtime.flow.FlowKind;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FlowFormulaParsingTest {

  private static List<FlowKind> flows(String formula) throws CompileException {
    return FlowFormulaParsing.parse(formula).flows();
  }

  private static List<String> errors(String formula) {
    CompileException e = assertThrows(CompileException.class, () -> FlowFormulaParsing.parse(formula));
    return e.diagnostics().stream().map(Diagnostic::headline).toList();
  }

  /** The cases of PyMC3's own test_flow_formula. */
  @Test
  void upstreamFormulaCases() throws CompileException {
    assertEquals(List.of(PLANAR), flows("planar"));
    assertEquals(List.of(PLANAR, PLANAR), flows("planar*2"));
    assertEquals(List.of(PLANAR, PLANAR), flows("planar-planar"));
    assertEquals(List.of(PLANAR, PLANAR, PLANAR), flows("planar-planar*2"));
    assertEquals(List.of(HH, PLANAR, PLANAR), flows("hh-planar*2"));
  }

  @Test
  void orderIsLeftToRightAndRepeatsExpand() throws CompileException {
    FlowFormula f = FlowFormulaParsing.parse("scale-hh*3-loc");
    assertEquals(List.of(SCALE, HH, HH, HH, LOC), f.flows());
    assertEquals("scale-hh*3-loc", f.normalized());
    assertEquals("scale-hh-hh-hh-loc", f.expanded());
    assertEquals(List.of(RADIAL, RADIAL, RADIAL, RADIAL, LOC), flows("radial*4-loc"));
  }

  @Test
  void aThousandLayersInAllAreAccepted() throws CompileException {
    assertEquals(1000, flows("planar*600-radial*399-loc").size());
  }

  @Test
  void lowerCasesAndDropsSpacesAsPyMc3Does() throws CompileException {
    assertEquals(List.of(SCALE, HH, HH, LOC), flows(" Scale - HH * 2 -LOC "));
    assertEquals(List.of(PLANAR), flows("pla nar"));
    assertEquals(List.of(PLANAR, PLANAR, PLANAR), flows("planar*03"));
  }

  @Test
  void partSpansPointIntoTheOriginalText() throws CompileException {
    FlowFormula f = FlowFormulaParsing.parse("scale - hh*2");
    assertEquals(1, f.parts().get(0).span().column());
    assertEquals(9, f.parts().get(1).span().column());
    assertEquals(13, f.parts().get(1).span().endColumn());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "planr        | --flow:1:1: unknown flow 'planr' (known: loc, scale, planar, radial, hh)",
      "scale-Planr  | --flow:1:7: unknown flow 'Planr' (known: loc, scale, planar, radial, hh)",
      "householder  | --flow:1:1: unknown flow 'householder' (known: loc, scale, planar, radial, hh)",
      "planar*x     | --flow:1:8: repeat count must be a positive integer in 'planar*x'",
      "planar*      | --flow:1:7: repeat count must be a positive integer in 'planar*'",
      "planar*2.0   | --flow:1:8: repeat count must be a positive integer in 'planar*2.0'",
      "planar*0     | --flow:1:8: repeat count must be a positive integer in 'planar*0'",
      "planar**2    | --flow:1:8: wrong format: more than one '*' in 'planar**2'",
      "planar*2*3   | --flow:1:9: wrong format: more than one '*' in 'planar*2*3'",
      "planar*1000001 | --flow:1:8: repeat count 1000001 is too large in 'planar*1000001' (at most 1000)",
      "planar*5000  | --flow:1:8: repeat count 5000 is too large in 'planar*5000' (at most 1000)",
      "planar*600-radial*600 | --flow:1:12: too many layers: 'radial*600' brings the flow to 1200 (at most 1000 in all)",
      "planar--loc  | --flow:1:7: missing flow name between two '-' (known: loc, scale, planar, radial, hh)",
      "-loc         | --flow:1:1: missing flow name before the first '-' (known: loc, scale, planar, radial, hh)",
      "loc-         | --flow:1:4: missing flow name after the last '-' (known: loc, scale, planar, radial, hh)",
      "planar+loc   | --flow:1:7: unexpected '+', expected '-' or the end of the formula",
      "'   '        | --flow:1:1: empty flow formula (write e.g. 'scale-loc' or 'planar*8')",
  })
  void badFormulasNameTheOffendingPart(String formula, String expected) {
    assertEquals(List.of(expected.strip()), errors(formula.strip().equals("'   '") ? "   " : formula.strip()));
  }

  @Test
  void negativeCountReportsBothBrokenParts() {
    // PyMC3 splits on '-' first: 'planar*-1' is 'planar*' followed by a flow named '1'.
    assertEquals(List.of(
        "--flow:1:7: repeat count must be a positive integer in 'planar*'",
        "--flow:1:9: unknown flow '1' (known: loc, scale, planar, radial, hh)"), errors("planar*-1"));
  }

  @Test
  void everyIndependentErrorIsReported() {
    assertEquals(List.of(
        "--flow:1:1: unknown flow 'planr' (known: loc, scale, planar, radial, hh)",
        "--flow:1:10: repeat count must be a positive integer in 'hh*x'"), errors("planr-hh*x"));
  }

  @Test
  void emptyFormulaIsAnError() {
    assertEquals(List.of("--flow:1:1: empty flow formula (write e.g. 'scale-loc' or 'planar*8')"), errors(""));
  }
}
