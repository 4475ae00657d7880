package io.flowc.compiler.frontend;

import static io.flowc.runtime.flow.FlowKind.HH;
import static io.flowc.runtime.flow.FlowKind.IAF;
import static io.flowc.runtime.flow.FlowKind.NSF;
import static io.flowc.runtime.flow.FlowKind.NSF_AR;
import static io.flowc.runtime.flow.FlowKind.REALNVP;
import static io.flowc.runtime.flow.FlowKind.REVERSE;
import static io.flowc.runtime.flow.FlowKind.SYLVESTER;
import static io.flowc.runtime.flow.FlowKind.LOC;
import static io.flowc.runtime.flow.FlowKind.PLANAR;
import static io.flowc.runtime.flow.FlowKind.RADIAL;
import static io.flowc.runtime.flow.FlowKind.SCALE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.Diagnostic;
import io.flowc.runtime.flow.FlowFormulas;
import io.flowc.runtime.flow.FlowKind;
import io.flowc.runtime.flow.FlowOption;
import io.flowc.runtime.flow.FlowOptions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FlowFormulaParsingTest {

  private static List<FlowKind> flows(String formula) throws CompileException {
    return FlowFormulaParsing.parse(formula).kinds();
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
    assertEquals(List.of(SCALE, HH, HH, HH, LOC), f.kinds());
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
      "planr        | --flow:1:1: unknown flow 'planr' (known: loc, scale, planar, radial, hh, reverse, realnvp, iaf, nsf, nsf_ar, sylvester)",
      "scale-Planr  | --flow:1:7: unknown flow 'Planr' (known: loc, scale, planar, radial, hh, reverse, realnvp, iaf, nsf, nsf_ar, sylvester)",
      "householder  | --flow:1:1: unknown flow 'householder' (known: loc, scale, planar, radial, hh, reverse, realnvp, iaf, nsf, nsf_ar, sylvester)",
      "planar*x     | --flow:1:8: repeat count must be a positive integer in 'planar*x'",
      "planar*      | --flow:1:7: repeat count must be a positive integer in 'planar*'",
      "planar*2.0   | --flow:1:8: repeat count must be a positive integer in 'planar*2.0'",
      "planar*0     | --flow:1:8: repeat count must be a positive integer in 'planar*0'",
      "planar**2    | --flow:1:8: wrong format: more than one '*' in 'planar**2'",
      "planar*2*3   | --flow:1:9: wrong format: more than one '*' in 'planar*2*3'",
      "planar*1000001 | --flow:1:8: repeat count 1000001 is too large in 'planar*1000001' (at most 1000)",
      "planar*5000  | --flow:1:8: repeat count 5000 is too large in 'planar*5000' (at most 1000)",
      "planar*600-radial*600 | --flow:1:12: too many layers: 'radial*600' brings the flow to 1200 (at most 1000 in all)",
      "planar--loc  | --flow:1:7: missing flow name between two '-' (known: loc, scale, planar, radial, hh, reverse, realnvp, iaf, nsf, nsf_ar, sylvester)",
      "-loc         | --flow:1:1: missing flow name before the first '-' (known: loc, scale, planar, radial, hh, reverse, realnvp, iaf, nsf, nsf_ar, sylvester)",
      "loc-         | --flow:1:4: missing flow name after the last '-' (known: loc, scale, planar, radial, hh, reverse, realnvp, iaf, nsf, nsf_ar, sylvester)",
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
        "--flow:1:9: unknown flow '1' (known: loc, scale, planar, radial, hh, reverse, realnvp, iaf, nsf, nsf_ar, sylvester)"), errors("planar*-1"));
  }

  @Test
  void everyIndependentErrorIsReported() {
    assertEquals(List.of(
        "--flow:1:1: unknown flow 'planr' (known: loc, scale, planar, radial, hh, reverse, realnvp, iaf, nsf, nsf_ar, sylvester)",
        "--flow:1:10: repeat count must be a positive integer in 'hh*x'"), errors("planr-hh*x"));
  }

  @Test
  void emptyFormulaIsAnError() {
    assertEquals(List.of("--flow:1:1: empty flow formula (write e.g. 'scale-loc' or 'planar*8')"), errors(""));
  }

  @Test
  void neuralFlowsTakeOptionsAndMixWithPyMc3s() throws CompileException {
    FlowFormula f = FlowFormulaParsing.parse("scale-loc-NSF(bins = 4, bound=2.50, hidden=64,layers=1,act=tanh)*4-iaf");
    assertEquals(List.of(SCALE, LOC, NSF, NSF, NSF, NSF, IAF), f.kinds());
    FlowOptions o = f.flows().get(2).options();
    assertEquals(new FlowOptions(4, 2.5, 64, 1, FlowOption.Activation.TANH, 0), o);
    assertEquals(FlowOptions.DEFAULTS, f.flows().get(6).options());
    assertEquals("scale-loc-nsf(bins=4,bound=2.5,hidden=64,layers=1,act=tanh)*4-iaf", f.normalized());
    assertEquals(List.of(REALNVP, REALNVP, SCALE, HH, HH, HH, HH, LOC), flows("realnvp*2-scale-hh*4-loc"));
    assertEquals(List.of(REVERSE, SYLVESTER, SYLVESTER, NSF_AR), flows("reverse-sylvester(m=2)*2-nsf_ar"));
    assertEquals(3, FlowFormulaParsing.parse("sylvester(m=3)").flows().get(0).options().reflections(7));
    assertEquals(7, FlowFormulaParsing.parse("sylvester").flows().get(0).options().reflections(7));
  }

  /** One name per flow: defaults left out, options in one order, so artifacts and generated classes find it. */
  @Test
  void theNormalizedFormulaIsCanonical() throws CompileException {
    assertEquals("nsf*2", FlowFormulaParsing.parse("nsf(bins=8,bound=5.0,hidden=32,layers=2,act=relu)*2").normalized());
    assertEquals("nsf(bins=3,act=elu)", FlowFormulaParsing.parse("nsf(act=elu,bins=3)").normalized());
    assertEquals("realnvp(hidden=64)*6", FlowFormulaParsing.parse("realnvp(hidden=64)*06").normalized());
    assertEquals("nsf_ar(bound=0.001)", FlowFormulaParsing.parse("nsf_ar(bound=1e-3)").normalized());
    assertEquals("iaf", FlowFormulaParsing.parse("iaf()").normalized());
    for (String formula : List.of("nsf(act=elu,bins=3)*2-loc", "scale - IAF(hidden=16, layers=1)*4", "sylvester(m=2)*4",
        "planar*03-reverse", "nsf_ar(bound=+2.5e0)")) {
      FlowFormula parsed = FlowFormulaParsing.parse(formula);
      assertEquals(parsed.normalized(), FlowFormulas.normalize(formula), formula);
      assertEquals(parsed.flows(), FlowFormulas.flows(formula), formula);
      assertEquals(parsed.normalized(), FlowFormulaParsing.parse(parsed.normalized()).normalized(), formula);
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "nsf(bins=1)          | --flow:1:10: bins must be an integer from 2 to 256, not '1' in 'nsf(bins=1)'",
      "nsf(bins=2.5)        | --flow:1:10: bins must be an integer from 2 to 256, not '2.5' in 'nsf(bins=2.5)'",
      "nsf(bound=0)         | --flow:1:11: bound must be a number > 0, not '0' in 'nsf(bound=0)'",
      "nsf(bound=-1)        | --flow:1:11: bound must be a number > 0, not '-1' in 'nsf(bound=-1)'",
      "nsf_ar(bound=x)      | --flow:1:14: bound must be a number > 0, not 'x' in 'nsf_ar(bound=x)'",
      "realnvp(hidden=0)    | --flow:1:16: hidden must be an integer from 1 to 4096, not '0' in 'realnvp(hidden=0)'",
      "iaf(layers=0)        | --flow:1:12: layers must be an integer from 1 to 64, not '0' in 'iaf(layers=0)'",
      "iaf(act=sigmoid)     | --flow:1:9: act must be relu, tanh or elu, not 'sigmoid' in 'iaf(act=sigmoid)'",
      "sylvester(m=0)       | --flow:1:13: m must be an integer from 1 to 4096, not '0' in 'sylvester(m=0)'",
      "loc-nsf(bin=4)       | --flow:1:9: unknown option 'bin' for nsf (options: bins, bound, hidden, layers, act)",
      "realnvp(bins=4)      | --flow:1:9: unknown option 'bins' for realnvp (options: hidden, layers, act)",
      "sylvester(hidden=4)  | --flow:1:11: unknown option 'hidden' for sylvester (options: m)",
      "nsf(bins=4,bins=5)   | --flow:1:12: option 'bins' is given twice in 'nsf(bins=4,bins=5)'",
      "scale-planar(hidden=3) | --flow:1:13: planar takes no options in 'planar(hidden=3)'",
      "reverse(m=1)         | --flow:1:8: reverse takes no options in 'reverse(m=1)'",
      "nsfx(bins=4)         | --flow:1:1: unknown flow 'nsfx' (known: loc, scale, planar, radial, hh, reverse, realnvp, iaf, nsf, nsf_ar, sylvester)",
      "nsf(bins)            | --flow:1:9: unexpected ')', expected '='",
      "nsf(bins=4*2         | --flow:1:11: unexpected '*', expected ')' or ','",
  })
  void badOptionsAreReportedAtTheirColumn(String formula, String expected) {
    assertEquals(List.of(expected.strip()), errors(formula.strip()));
  }

  /** What only the model's dimension decides, at the flow's name or at the option at fault. */
  @Test
  void theDimensionIsCheckedWhenTheFormulaMeetsAModel() throws CompileException {
    CompileException coupling = assertThrows(CompileException.class,
        () -> FlowFormulaParsing.parse("loc-realnvp*2").layout(1));
    assertEquals(List.of("--flow:1:5: realnvp is a coupling flow and needs at least 2 dimensions; the model has 1 (use iaf)"),
        coupling.diagnostics().stream().map(Diagnostic::headline).toList());
    CompileException narrow = assertThrows(CompileException.class,
        () -> FlowFormulaParsing.parse("iaf(layers=1, hidden=5)-nsf_ar").layout(40));
    assertEquals(List.of(
        "--flow:1:22: iaf's MADE conditioner needs hidden >= d - 1 = 39 on this model; hidden is 5",
        "--flow:1:25: nsf_ar's MADE conditioner needs hidden >= d - 1 = 39 on this model; hidden is 32"),
        narrow.diagnostics().stream().map(Diagnostic::headline).toList());
    assertEquals(7, FlowFormulaParsing.parse("iaf(hidden=6)").layout(7).dimension());
    assertEquals(1, FlowFormulaParsing.parse("nsf_ar-iaf-sylvester-reverse").layout(1).dimension());
  }
}
