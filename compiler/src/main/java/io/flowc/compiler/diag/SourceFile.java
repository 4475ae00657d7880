package io.flowc.compiler.diag;

import java.util.Arrays;
import java.util.Objects;

/** The text of one model or formula and the name under which diagnostics cite it. */
public final class SourceFile {
  private final String name;
  private final String text;
  private final int[] lineStarts;
  /** char index of each code point, or null when every code point is one char. */
  private final int[] codePointStarts;

  public SourceFile(String name, String text) {
    this.name = Objects.requireNonNull(name);
    this.text = Objects.requireNonNull(text);
    // over a char array, not charAt: a fresh process reads each model interpreted
    char[] chars = text.toCharArray();
    int[] starts = new int[16];
    int lines = 1;
    boolean pairs = false;
    for (int i = 0; i < chars.length; i++) {
      char c = chars[i];
      if (c == '\n' || (c == '\r' && (i + 1 >= chars.length || chars[i + 1] != '\n'))) {
        if (lines == starts.length) {
          starts = Arrays.copyOf(starts, 2 * lines);
        }
        starts[lines++] = i + 1;
      } else if (c >= '\uDC00' && c <= '\uDFFF' && i > 0 && chars[i - 1] >= '\uD800' && chars[i - 1] <= '\uDBFF') {
        pairs = true;
      }
    }
    lineStarts = Arrays.copyOf(starts, lines);
    codePointStarts = !pairs
        ? null
        : java.util.stream.IntStream.concat(
                // a low surrogate starts a code point of its own unless it ends a pair
                java.util.stream.IntStream.range(0, text.length())
                    .filter(i -> !Character.isLowSurrogate(text.charAt(i))
                        || i == 0 || !Character.isHighSurrogate(text.charAt(i - 1))),
                java.util.stream.IntStream.of(text.length()))
            .toArray();
  }

  /** The char index of a code-point index (ANTLR counts code points). */
  public int charIndex(int codePointIndex) {
    if (codePointStarts == null) {
      return Math.min(codePointIndex, text.length());
    }
    return codePointStarts[Math.min(Math.max(codePointIndex, 0), codePointStarts.length - 1)];
  }

  public String name() {
    return name;
  }

  public String text() {
    return text;
  }

  public int lineCount() {
    return lineStarts.length;
  }

  /** The text of a 1-based line, without its line terminator. */
  public String line(int line) {
    if (line < 1 || line > lineStarts.length) {
      return "";
    }
    int start = lineStarts[line - 1];
    int end = line < lineStarts.length ? lineStarts[line] : text.length();
    while (end > start && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
      end--;
    }
    return text.substring(start, end);
  }

  /** The 1-based line holding a character offset. */
  public int lineOf(int offset) {
    int lo = 0;
    int hi = lineStarts.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (lineStarts[mid] <= offset) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo + 1;
  }

  /** The span of characters [start, end) of this file. */
  public Span span(int start, int end) {
    int startLine = lineOf(start);
    int endLine = lineOf(Math.max(start, end - 1));
    return new Span(start, Math.max(start, end), startLine, start - lineStarts[startLine - 1] + 1,
        endLine, Math.max(start, end) - lineStarts[endLine - 1] + 1);
  }

  @Override
  public String toString() {
    return name;
  }
}
