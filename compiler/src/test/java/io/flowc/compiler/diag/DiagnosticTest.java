package io.flowc.compiler.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** How a diagnostic shows its source line and caret. */
class DiagnosticTest {
  private static String excerpt(String line, int start, int end) {
    SourceFile f = new SourceFile("m.flow", line + "\n");
    return Diagnostic.error(f, f.span(start, end), "bad").excerpt();
  }

  @Test
  void aShortLineIsShownWholeWithTheCaretUnderTheSpan() {
    assertEquals("\n    potential\tx + q;\n             \t    ^", excerpt("potential\tx + q;", 14, 15));
  }

  @Test
  void aLongLineIsClippedToAWindowAroundTheSpan() {
    String line = "a".repeat(80_000) + " bad " + "b".repeat(80_000);
    String shown = excerpt(line, 80_001, 80_004);
    String[] rows = shown.substring(1).split("\n");
    assertTrue(rows[0].startsWith("    ...a") && rows[0].endsWith("b..."), rows[0]);
    assertEquals(4 + 3 + Diagnostic.MAX_SHOWN + 3, rows[0].length());
    int caret = rows[1].indexOf('^');
    assertEquals("bad", rows[0].substring(caret, caret + 3));
    assertTrue(rows[1].endsWith("^~~"), rows[1]);
  }

  @Test
  void aSpanAtEitherEndOfALongLineKeepsItsEnd() {
    String line = "x".repeat(500);
    String[] start = excerpt(line, 0, 1).substring(1).split("\n");
    assertEquals("    " + "x".repeat(Diagnostic.MAX_SHOWN) + "...", start[0]);
    assertEquals("    ^", start[1]);
    String[] end = excerpt(line, 500, 500).substring(1).split("\n");
    assertEquals("    ..." + "x".repeat(Diagnostic.MAX_SHOWN), end[0]);
    assertEquals(4 + 3 + Diagnostic.MAX_SHOWN, end[1].indexOf('^'));
  }
}
