package io.flowc.compiler.diag;

/**
 * A range of characters [start, end) of a source, with the 1-based line and column of its first
 * character and of the character just past its last one.
 */
public record Span(int start, int end, int line, int column, int endLine, int endColumn) {

  public static final Span NONE = new Span(0, 0, 1, 1, 1, 1);

  /** The smallest span covering both. */
  public Span to(Span other) {
    Span first = start <= other.start ? this : other;
    Span last = end >= other.end ? this : other;
    return new Span(first.start, last.end, first.line, first.column, last.endLine, last.endColumn);
  }

  @Override
  public String toString() {
    return line + ":" + column;
  }
}
