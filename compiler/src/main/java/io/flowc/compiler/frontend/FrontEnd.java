package io.flowc.compiler.frontend;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.Diagnostic;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.runtime.data.DataSet;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/** Model text to a {@link CheckedModel}, or every diagnostic found. Never throws on bad input. */
public final class FrontEnd {
  private FrontEnd() {}

  /** The outcome of the front end: a model when {@code diagnostics} is empty. */
  public record Analysis(CheckedModel model, List<Diagnostic> diagnostics) {
    public boolean ok() {
      return model != null;
    }
  }

  public static Analysis analyze(SourceFile source) {
    return analyze(source, (DataSet) null);
  }

  /** As {@link #analyze(SourceFile)}, with values for the model's data declarations (null: none). */
  public static Analysis analyze(SourceFile source, DataSet data) {
    return analyze(source, () -> data);
  }

  /**
   * As {@link #analyze(SourceFile, DataSet)}, the data asked for once the source has parsed (the
   * checker needs them, the parser not: a caller may read them meanwhile); not asked for if it
   * does not parse.
   */
  public static Analysis analyze(SourceFile source, Supplier<DataSet> data) {
    ModelParsing.Result parsed = ModelParsing.parse(source);
    if (!parsed.ok()) {
      return new Analysis(null, parsed.diagnostics());
    }
    try {
      ModelChecker.Result checked = ModelChecker.check(parsed.model(), data.get());
      // The checker finds errors in evaluation order (arguments before the call); users read
      // them top to bottom.
      List<Diagnostic> inSourceOrder = checked.diagnostics().stream()
          .sorted(Comparator.comparingInt(d -> d.span().start()))
          .toList();
      return new Analysis(checked.model(), inSourceOrder);
    } catch (StackOverflowError e) {
      return new Analysis(null, List.of(Diagnostic.error(source, parsed.model().name().span(),
          "model '" + parsed.model().name().text() + "' is nested too deeply to check; split long expressions with 'let'")));
    }
  }

  /** The checked model, or a {@link CompileException} carrying every diagnostic. */
  public static CheckedModel check(SourceFile source) throws CompileException {
    return check(source, null);
  }

  /** As {@link #check(SourceFile)}, with values for the model's data declarations (null: none). */
  public static CheckedModel check(SourceFile source, DataSet data) throws CompileException {
    Analysis analysis = analyze(source, data);
    if (!analysis.ok()) {
      throw new CompileException(analysis.diagnostics());
    }
    return analysis.model();
  }
}
