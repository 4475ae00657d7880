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

  /**
   * The source line and the caret line under the span, each on a line of its own and indented:
   * what follows the headline when a tool (javac, for the annotation processor) prints the
   * severity itself.
   */
  public String excerpt() {
    String line = source.line(span.line());
    StringBuilder caret = new StringBuilder();
    int col = Math.min(span.column() - 1, line.length());
    for (int i = 0; i < col; i++) {
      caret.append(line.charAt(i) == '\t' ? '\t' : ' ');
    }
    int width = span.endLine() == span.line() ? Math.max(1, span.endColumn() - span.column()) : 1;
    width = Math.max(1, Math.min(width, line.length() - col));
    caret.append('^');
    caret.append("~".repeat(width - 1));
    return "\n    " + line + "\n    " + caret;
  }
}
