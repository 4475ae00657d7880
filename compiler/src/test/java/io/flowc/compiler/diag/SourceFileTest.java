package io.flowc.compiler.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Lines, columns and code-point offsets of a source text. */
class SourceFileTest {

  private static List<String> lines(SourceFile f) {
    return IntStream.rangeClosed(1, f.lineCount()).mapToObj(f::line).toList();
  }

  @Test
  void linesEndAtLfCrlfAndLoneCr() {
    SourceFile f = new SourceFile("f", "a\nbb\r\nccc\rdddd\n\r\n");
    assertEquals(List.of("a", "bb", "ccc", "dddd", "", ""), lines(f));
    assertEquals(1, f.lineOf(0));
    assertEquals(1, f.lineOf(1)); // the '\n' belongs to its line
    assertEquals(2, f.lineOf(2));
    assertEquals(2, f.lineOf(4)); // the '\r' of "\r\n" too
    assertEquals(3, f.lineOf(6));
    assertEquals(4, f.lineOf(10));
    assertEquals("", f.line(0));
    assertEquals("", f.line(99));
  }

  @Test
  void spansHaveOneBasedLinesAndColumns() {
    SourceFile f = new SourceFile("f", "ab\r\tcd\nef");
    Span cd = f.span(4, 6);
    assertEquals(new Span(4, 6, 2, 2, 2, 4), cd);
    Span across = f.span(1, 9);
    assertEquals(new Span(1, 9, 1, 2, 3, 3), across);
    Span end = f.span(9, 9);
    assertEquals(new Span(9, 9, 3, 3, 3, 3), end);
  }

  @Test
  void codePointOffsetsMapToCharOffsets() {
    // ANTLR counts code points; diagnostics count chars
    SourceFile plain = new SourceFile("f", "abc");
    assertEquals(2, plain.charIndex(2));
    assertEquals(3, plain.charIndex(7));
    SourceFile astral = new SourceFile("f", "a😀b😀c");
    assertEquals(List.of(0, 1, 3, 4, 6, 7), IntStream.rangeClosed(0, 5).map(astral::charIndex).boxed().toList());
  }

  @Test
  void unpairedSurrogatesCountAsOneCodePointEach() {
    String text = "a😀\udc00b\ud800\ud800\udc00\udc00";
    assertEquals(text.codePointCount(0, text.length()), 7);
    SourceFile f = new SourceFile("f", text);
    // code points: a, 😀, lone low, b, lone high, pair, lone low
    assertEquals(List.of(0, 1, 3, 4, 5, 6, 8, 9), IntStream.rangeClosed(0, 7).map(f::charIndex).boxed().toList());
  }

  @Test
  void renderKeepsTabsUnderlinesTheSpanAndStopsAtTheLineEnd() {
    SourceFile f = new SourceFile("f.flow", "x\n\tab  cde\n");
    Diagnostic d = Diagnostic.error(f, f.span(6, 9), "here");
    assertEquals("error: f.flow:2:5: here\n    \tab  cde\n    \t   ^~~", d.render());
    Diagnostic acrossLines = Diagnostic.error(f, f.span(0, 8), "there");
    assertEquals("error: f.flow:1:1: there\n    x\n    ^", acrossLines.render());
    Diagnostic atEnd = Diagnostic.error(f, f.span(11, 11), "end");
    assertEquals("error: f.flow:3:1: end\n    \n    ^", atEnd.render());
  }
}
