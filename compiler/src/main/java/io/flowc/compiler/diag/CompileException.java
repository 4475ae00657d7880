package io.flowc.compiler.diag;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown by the pipeline's entry points when a source has errors; carries all of them. */
public final class CompileException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient List<Diagnostic> diagnostics;

  public CompileException(List<Diagnostic> diagnostics) {
    super(diagnostics.stream().map(Diagnostic::headline).collect(Collectors.joining("\n")));
    this.diagnostics = List.copyOf(diagnostics);
  }

  public List<Diagnostic> diagnostics() {
    return diagnostics;
  }

  /** Every diagnostic rendered with its source line and caret, then a count, as javac does. */
  public String render() {
    StringBuilder out = new StringBuilder();
    for (Diagnostic d : diagnostics) {
      out.append(d.render()).append('\n');
    }
    long errors = diagnostics.stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR).count();
    out.append(errors).append(errors == 1 ? " error" : " errors");
    return out.toString();
  }
}
