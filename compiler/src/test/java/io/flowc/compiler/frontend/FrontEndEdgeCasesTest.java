package io.flowc.compiler.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.Diagnostic;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.interp.Interpreter;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Pathological and unusual inputs, one by one: deep nesting, huge chains, empty and comment-only
 * files, odd characters, line endings and tabs. The front end answers each with a model or
 * diagnostics (never an exception), in bounded time, with positions a user can follow.
 */
class FrontEndEdgeCasesTest {
  private static final Duration LIMIT = Duration.ofSeconds(20);
  private static final String TOO_DEEP =
      "expression is nested too deeply (more than 1000 levels); split it with 'let' or use sum()";

  private static FrontEnd.Analysis analyze(String text) {
    return assertTimeoutPreemptively(LIMIT, () -> FrontEnd.analyze(new SourceFile("m.flow", text)));
  }

  private static List<String> headlines(String text) {
    return analyze(text).diagnostics().stream().map(Diagnostic::headline).toList();
  }

  private static String render(String text) {
    FrontEnd.Analysis analysis = analyze(text);
    assertTrue(!analysis.ok(), "expected diagnostics");
    return new CompileException(analysis.diagnostics()).render();
  }

  /** A model whose potential (on line 3) is the given expression. */
  private static String withPotential(String expr) {
    return "model m {\n  param z[2];\n  potential " + expr + ";\n}\n";
  }

  // ---- nesting and length ---------------------------------------------------------------------

  @Test
  void tenThousandNestedParenthesesGiveOneDiagnostic() {
    String text = withPotential("(".repeat(10_000) + "z[0]" + ")".repeat(10_000));
    // "  potential " is 12 characters: the 201st '(' is at column 12 + 201
    assertEquals(List.of("m.flow:3:213: brackets nested too deeply (more than 200 levels); split the expression with 'let'"),
        headlines(text));
  }

  @Test
  void tenThousandNestedVectorLiteralsGiveOneDiagnostic() {
    String text = withPotential("sum(" + "[".repeat(10_000) + "1" + "]".repeat(10_000) + ")");
    // the call's '(' is the first level: the 201st is the 200th '['
    assertEquals(List.of("m.flow:3:216: brackets nested too deeply (more than 200 levels); split the expression with 'let'"),
        headlines(text));
  }

  @Test
  void nestingUpToTheLimitIsAccepted() {
    // indexing brackets count too: z[0] inside 199 parentheses is 200 levels deep
    FrontEnd.Analysis ok = analyze(withPotential("(".repeat(199) + "z[0]" + ")".repeat(199)));
    assertEquals(List.of(), ok.diagnostics());
    assertEquals(0.25, new Interpreter(ok.model()).potential(new double[] {0.25, 0}));
    // one more: the 201st level is the "[" of z[0], after "  potential " and 200 "("
    assertEquals(List.of("m.flow:3:214: brackets nested too deeply (more than 200 levels); split the expression with 'let'"),
        headlines(withPotential("(".repeat(200) + "z[0]" + ")".repeat(200))));
  }

  /** Accepted (a larger stack may allow it) or refused with one "nested too deeply" diagnostic on its line. */
  private static FrontEnd.Analysis acceptedOrOneTooDeepDiagnosticOnLine3(String text) {
    FrontEnd.Analysis analysis = analyze(text);
    if (analysis.ok()) {
      assertEquals(List.of(), analysis.diagnostics());
      return analysis;
    }
    assertEquals(1, analysis.diagnostics().size(), () -> analysis.diagnostics().toString());
    Diagnostic d = analysis.diagnostics().get(0);
    assertEquals(TOO_DEEP, d.message());
    assertEquals(3, d.span().line(), () -> d.headline());
    assertTrue(d.render().startsWith("error: m.flow:3:"));
    return analysis;
  }

  @Test
  void hundredThousandChainedAdditions() {
    FrontEnd.Analysis analysis = acceptedOrOneTooDeepDiagnosticOnLine3(withPotential("z[0]" + "+1".repeat(100_000)));
    if (!analysis.ok()) {
      // the chain parses; its tree is too deep, and the expression's start is cited
      assertEquals("m.flow:3:13: " + TOO_DEEP, analysis.diagnostics().get(0).headline());
    }
  }

  @Test
  void tenThousandUnaryMinuses() {
    acceptedOrOneTooDeepDiagnosticOnLine3(withPotential("-".repeat(10_000) + "z[0]"));
  }

  @Test
  void tenThousandLongPowerChain() {
    acceptedOrOneTooDeepDiagnosticOnLine3(withPotential(String.join("^", java.util.Collections.nCopies(10_000, "z[0]"))));
  }

  @Test
  void tenThousandLongConditionalChain() {
    String chain = IntStream.range(0, 10_000).mapToObj(i -> "z[0] > " + i + " ? " + i + " : ")
        .collect(Collectors.joining()) + "0";
    acceptedOrOneTooDeepDiagnosticOnLine3(withPotential(chain));
  }

  @Test
  void aLongChainWithinReachIsAcceptedAndEvaluated() {
    FrontEnd.Analysis analysis = analyze(withPotential("z[0]" + " + 1".repeat(890) + " + " + "-".repeat(100) + "z[1]"));
    assertEquals(List.of(), analysis.diagnostics());
    assertEquals(890.5 + 2.0, new Interpreter(analysis.model()).potential(new double[] {0.5, 2.0}));
    assertEquals(List.of("m.flow:3:13: " + TOO_DEEP),
        headlines(withPotential("z[0]" + " + 1".repeat(1_000) + " + " + "-".repeat(100) + "z[1]")));
  }

  @Test
  void aSyntaxErrorAfterAVeryLongStatementIsStillFound() {
    String text = "model m {\n  param z[2];\n  potential z[0]" + "+1".repeat(100_000) + ";\n  potential q +;\n}\n";
    List<String> found = headlines(text);
    assertTrue(found.contains("m.flow:4:16: unexpected ';', expected an expression"), found::toString);
  }

  // ---- empty, comments --------------------------------------------------------------------------

  @Test
  void emptyFile() {
    assertEquals(List.of("m.flow:1:1: unexpected end of file, expected 'model'"), headlines(""));
    assertEquals("""
        error: m.flow:1:1: unexpected end of file, expected 'model'
           \s
            ^
        1 error""", render(""));
  }

  @Test
  void onlyWhitespace() {
    assertEquals(List.of("m.flow:3:3: unexpected end of file, expected 'model'"), headlines("\n \t\n  "));
  }

  @Test
  void onlyComments() {
    assertEquals(List.of("m.flow:2:18: unexpected end of file, expected 'model'"),
        headlines("// just a comment\n/* and a block */"));
    assertEquals(List.of("m.flow:3:1: unexpected end of file, expected 'model'"),
        headlines("// just a comment\n/* and a block */\n"));
  }

  @Test
  void unterminatedComment() {
    String text = "model m {\n  param z;\n  potential z; /* the end\n";
    assertEquals("""
        error: m.flow:3:16: unterminated comment: '/*' has no matching '*/'
              potential z; /* the end
                           ^~
        1 error""", render(text));
    assertEquals(List.of("m.flow:1:1: unterminated comment: '/*' has no matching '*/'"), headlines("/* * ** *"));
    assertEquals(List.of("m.flow:1:1: unterminated comment: '/*' has no matching '*/'"), headlines("/*/"));
    assertEquals(List.of("m.flow:2:3: unterminated comment: '/*' has no matching '*/'"),
        headlines("model m { param z; potential z; }\n  /* /* nested openers do not matter *"));
  }

  @Test
  void commentsDoNotNest() {
    assertEquals(List.of("m.flow:1:24: unexpected '*', expected a statement or '}'"),
        headlines("model m { /* a /* b */ */ param z; potential z; }"));
  }

  // ---- characters ----------------------------------------------------------------------------------

  @Test
  void nonAsciiAndEmojiInCommentsAreFine() {
    FrontEnd.Analysis analysis = analyze("""
        // ünïcödé, 中文, עברית, 😀🚀 and a combining e\u0301
        model m { /* ✓ 😀 */
          param z; // 😀 trailing
          potential z * z; /* 😀 */ }
        """);
    assertEquals(List.of(), analysis.diagnostics());
  }

  @Test
  void nonAsciiOutsideCommentsIsReportedWhereItIs() {
    // columns count UTF-16 code units, as Java strings (and LSP clients) do: the emoji takes two
    String text = withPotential("z[0] + 😀 + é + σ");
    assertEquals(List.of(
        "m.flow:3:20: unexpected character '😀'",
        "m.flow:3:25: unexpected character 'é'",
        "m.flow:3:29: unexpected character 'σ'"), headlines(text));
    assertEquals("""
        error: m.flow:3:20: unexpected character '😀'
              potential z[0] + 😀 + é + σ;
                               ^~
        error: m.flow:3:25: unexpected character 'é'
              potential z[0] + 😀 + é + σ;
                                    ^
        error: m.flow:3:29: unexpected character 'σ'
              potential z[0] + 😀 + é + σ;
                                        ^
        3 errors""", render(text));
  }

  @Test
  void columnsAfterAnEmojiOnTheSameLineStayRight() {
    assertEquals(List.of("m.flow:1:42: unexpected ';', expected an expression"),
        headlines("model m { /* 😀 */ param z; potential z +; }"));
    assertEquals(List.of("m.flow:2:3: 'q' is not declared"),
        headlines("model m { /* 😀😀 */ param z; potential z\n+ q; }"));
    assertEquals(List.of("m.flow:1:45: 'q' is not declared"),
        headlines("model m { /* 😀😀 */ param z; potential z + q; }"));
  }

  @Test
  void invisibleCharactersAreNamedByTheirCode() {
    assertEquals(List.of("m.flow:3:18: unexpected character U+0000"), headlines(withPotential("z[0] \0 1")));
    assertEquals(List.of("m.flow:3:18: unexpected character U+00A0"), headlines(withPotential("z[0] \u00a0+ 1")));
    assertEquals(List.of("m.flow:3:18: unexpected character U+200B"), headlines(withPotential("z[0] \u200b+ 1")));
    assertEquals(List.of("m.flow:3:18: unexpected character U+000B"), headlines(withPotential("z[0] \u000b+ 1")));
    assertEquals(List.of("m.flow:1:1: unexpected character U+FEFF"), headlines("\ufeffmodel m { param z; potential z; }"));
  }

  @Test
  void nulBytesInCommentsAreFine() {
    assertEquals(List.of(), headlines("model m { /* \0 */ param z; // \0\n potential z; }"));
  }

  @Test
  void unpairedSurrogatesAreReportedNotThrown() {
    // a lone low surrogate right after a pair used to shift every later position (and throw)
    assertEquals(List.of(
            "m.flow:1:35: unexpected character '😀'",
            "m.flow:1:37: unexpected character U+DC00",
            "m.flow:1:39: unexpected character '#'"),
        headlines("model m { param z; potential z; } 😀\udc00 #"));
    assertEquals(List.of("m.flow:1:10: unexpected character U+D800"), headlines("model m {\ud800 param z; potential z; }"));
    assertEquals(List.of("m.flow:1:10: unexpected character U+DC00"), headlines("model m {\udc00 param z; potential z; }"));
    assertEquals(List.of(
            "m.flow:1:10: unexpected character '😀'",
            "m.flow:1:12: unexpected character U+DC00",
            "m.flow:1:13: unexpected character U+DC00",
            "m.flow:1:14: unexpected character U+DC00"),
        headlines("model m {😀\udc00\udc00\udc00 param z; potential z; }"));
  }

  @Test
  void manyBadCharactersGiveAtMostTenDiagnostics() {
    assertEquals(10, headlines(withPotential("z[0] " + "# ".repeat(50))).size());
  }

  // ---- line endings and tabs ----------------------------------------------------------------------

  @Test
  void crOnlyLineEndings() {
    String text = "model m {\r  param z;\r  potential z +;\r  potential q;\r}\r";
    assertEquals(List.of("m.flow:3:16: unexpected ';', expected an expression"), headlines(text));
    assertEquals("""
        error: m.flow:3:16: unexpected ';', expected an expression
              potential z +;
                           ^
        1 error""", render(text));
    assertEquals(List.of("m.flow:4:13: 'q' is not declared"),
        headlines("model m {\r  param z;\r  potential z;\r  potential q;\r}\r"));
  }

  @Test
  void crlfAndMixedLineEndings() {
    assertEquals(List.of("m.flow:4:13: 'q' is not declared"),
        headlines("model m {\r\n  param z;\r\n  potential z;\r\n  potential q;\r\n}\r\n"));
    assertEquals(List.of("m.flow:5:13: 'q' is not declared"),
        headlines("model m {\r\n  param z;\n\r  potential z;\r  potential q;\n}"));
  }

  @Test
  void tabsAreKeptInTheCaretLineSoThatItLinesUp() {
    String text = "model m {\n\tparam z;\n\tpotential\tz +\t;\n}\n";
    assertEquals("""
        error: m.flow:3:16: unexpected ';', expected an expression
            \tpotential\tz +\t;
            \t         \t   \t^
        1 error""", render(text));
  }

  @Test
  void errorAtTheEndOfALongFileWithoutNewline() {
    String body = "  potential z;\n".repeat(500);
    assertEquals(List.of("m.flow:503:15: unexpected end of file, expected a statement or '}'"),
        headlines("model m {\n  param z;\n" + body + "  potential z;"));
  }
}
