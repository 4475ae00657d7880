package io.flowc.compiler.diag;

import java.util.Objects;

/** One message about a source, anchored at a span of it. */
public record Diagnostic(Severity severity, SourceFile source, Span span, String message) {

  public enum Severity {
    ERROR,
    WARNING;

    @Override
    public String toString() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public Diagnostic {
    Objects.requireNonNull(severity);
    Objects.requireNonNull(source);
    Objects.requireNonNull(span);
    Objects.requireNonNull(message);
  }

  public static Diagnostic error(SourceFile source, Span span, String message) {
    return new Diagnostic(Severity.ERROR, source, span, message);
  }

  /** {@code FILE:LINE:COL: message}, the form editors and build tools link to. */
  public String headline() {
    return source.name() + ":" + span.line() + ":" + span.column() + ": " + message;
  }

  /**
   * The headline prefixed by the severity, the source line and a caret line under the span
   * (tabs are kept so that the caret lines up in a terminal).
   */
  public String render() {
    return severity + ": " + headline() + excerpt();
  }

  /** Longest source line shown whole; a longer one is shown as a window of this many characters around the span. */
  static final int MAX_SHOWN = 100;

  /**
   * The source line and the caret line under the span, each on a line of its own and indented:
   * what follows the headline when a tool (javac, for the annotation processor) prints the
   * severity itself. A long line is clipped to a window around the span's start, marked with
   * "..." where text is left out.
   */
  public String excerpt() {
    String line = source.line(span.line());
    int col = Math.min(span.column() - 1, line.length());
    int width = span.endLine() == span.line() ? Math.max(1, span.endColumn() - span.column()) : 1;
    int from = 0;
    int to = line.length();
    if (line.length() > MAX_SHOWN) {
      from = Math.max(0, Math.min(col - MAX_SHOWN / 3, line.length() - MAX_SHOWN));
      to = from + MAX_SHOWN;
      // never split a surrogate pair at the window's edges
      if (from > 0 && Character.isLowSurrogate(line.charAt(from))) {
        from++;
      }
      if (to < line.length() && Character.isHighSurrogate(line.charAt(to - 1))) {
        to--;
      }
    }
    String prefix = from > 0 ? "..." : "";
    StringBuilder caret = new StringBuilder(" ".repeat(prefix.length()));
    for (int i = from; i < col; i++) {
      caret.append(line.charAt(i) == '\t' ? '\t' : ' ');
    }
    width = Math.max(1, Math.min(width, to - col));
    caret.append('^');
    caret.append("~".repeat(width - 1));
    return "\n    " + prefix + line.substring(from, to) + (to < line.length() ? "..." : "") + "\n    " + caret;
  }
}
