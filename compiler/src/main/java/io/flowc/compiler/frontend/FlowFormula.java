package io.flowc.compiler.frontend;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.Diagnostic;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.diag.Span;
import io.flowc.runtime.flow.FlowFormulas;
import io.flowc.runtime.flow.FlowKind;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.flow.FlowOption;
import io.flowc.runtime.flow.FlowSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A parsed flow formula: its parts in order of application (the first part is applied first to
 * the base draw), each a flow with its options and a repeat count, with the spans of the part,
 * its name and its options in the text the user wrote ({@code source}).
 */
public record FlowFormula(String text, List<Part> parts, SourceFile source) {

  /** One {@code name}, {@code name(options)} or {@code name(options)*count} part. */
  public record Part(FlowSpec spec, int count, Span span, Span nameSpan, Map<FlowOption, Span> optionSpans) {
    public Part {
      optionSpans = Map.copyOf(optionSpans);
    }

    /** A part without options. */
    public Part(FlowKind kind, int count, Span span) {
      this(FlowSpec.of(kind), count, span, span, Map.of());
    }

    public FlowKind kind() {
      return spec.kind();
    }
  }

  public FlowFormula {
    parts = List.copyOf(parts);
  }

  public FlowFormula(String text, List<Part> parts) {
    this(text, parts, new SourceFile("--flow", text));
  }

  /** Every flow in order of application, repeats expanded: {@code scale-hh*2} gives [scale, hh, hh]. */
  public List<FlowSpec> flows() {
    List<FlowSpec> out = new ArrayList<>();
    for (Part p : parts) {
      out.addAll(Collections.nCopies(p.count(), p.spec()));
    }
    return out;
  }

  /** The kinds of {@link #flows()}. */
  public List<FlowKind> kinds() {
    return flows().stream().map(FlowSpec::kind).toList();
  }

  /**
   * The normalized formula, as PyMC3 prints it (lower case, no spaces, repeats kept) with each
   * flow's options in canonical form ({@link FlowSpec#text()}): what artifacts and generated
   * classes record, and what {@link FlowFormulas#normalize} gives from any spelling of it.
   */
  public String normalized() {
    return FlowFormulas.text(parts.stream().map(p -> new FlowFormulas.Part(p.spec(), p.count())).toList());
  }

  /** The expanded chain ({@code scale-hh-hh-loc}), PyMC3's {@code Formula.formula}. */
  public String expanded() {
    return flows().stream().map(FlowSpec::text).collect(Collectors.joining("-"));
  }

  /**
   * The layout of the formula's flows on a model of this dimension, after checking what the
   * dimension decides (a coupling flow on d = 1, a MADE narrower than d - 1): each problem is
   * reported at the flow's name, or at the option at fault.
   */
  public FlowLayout layout(int dimension) throws CompileException {
    List<Diagnostic> diagnostics = new ArrayList<>();
    for (Part p : parts) {
      FlowSpec.Problem problem = p.spec().problem(dimension);
      if (problem != null) {
        Span at = problem.option() == null ? null : p.optionSpans().get(problem.option());
        diagnostics.add(Diagnostic.error(source, at != null ? at : p.nameSpan(), problem.message()));
      }
    }
    if (!diagnostics.isEmpty()) {
      throw new CompileException(diagnostics);
    }
    return FlowLayout.ofFlows(flows(), dimension);
  }
}
