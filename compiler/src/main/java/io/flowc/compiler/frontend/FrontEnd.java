package io.flowc.compiler.frontend;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.Diagnostic;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.runtime.data.DataSet;
import io.flowc.compiler.ir.Differentiator;
import io.flowc.compiler.ir.DynamicShapeException;
import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.Graphs;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.lower.ModelLowering;
import io.flowc.runtime.data.DataLayout;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

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
    return analyze(source, null);
  }

  /** As {@link #analyze(SourceFile)}, with values for the model's data declarations (null: none). */
  public static Analysis analyze(SourceFile source, DataSet data) {
    ModelParsing.Result parsed = ModelParsing.parse(source);
    if (!parsed.ok()) {
      return new Analysis(null, parsed.diagnostics());
    }
    try {
      ModelChecker.Result checked = ModelChecker.check(parsed.model(), data);
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

  /**
   * The model with as many sizes bound at run time as its IR allows, for code that outlives the
   * data it is compiled with (artifacts, classes generated at build time): every size that
   * counts the rows of data and shapes no parameter starts free; a use that needs a fixed length
   * (a fixed index, a mix with a parameter or a literal-length vector, see
   * {@link DynamicShapeException}) fixes the sizes involved, and the model is tried again.
   *
   * <p>A model checked by {@link #check} has every size fixed at its data's values: code
   * compiled to run on those data at once is faster with lengths and offsets it knows (HotSpot
   * vectorizes loops over array regions it can tell apart more readily).
   */
  public static CheckedModel freeSizes(CheckedModel model) {
    Set<String> free = new TreeSet<>(model.sizes().candidates());
    free.retainAll(model.sizes().rowSizes().values());
    while (!free.isEmpty()) {
      CheckedModel candidate = model.withFreeSizes(free);
      try {
        IrFunction value = Graphs.rebuild(ModelLowering.lower(candidate, new Graph(false)), new Graph(true));
        Graph g = value.graph();
        Differentiator.gradient(g, g.neg(value.output(ModelLowering.POTENTIAL)), value.inputs());
        return candidate;
      } catch (DynamicShapeException e) {
        Set<String> fixed = new TreeSet<>();
        for (DataLayout.Variable v : candidate.dataLayout().variables()) {
          if (v.dims().length == 0 && e.sizeSlots().contains(v.offset())) {
            fixed.add(v.name());
          }
        }
        if (!free.removeAll(fixed)) {
          free.clear();
        }
      }
    }
    return model;
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
