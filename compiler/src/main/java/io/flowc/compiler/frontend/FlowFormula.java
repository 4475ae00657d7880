package io.flowc.compiler.frontend;

import io.flowc.compiler.diag.Span;
import io.flowc.runtime.flow.FlowKind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A parsed flow formula: its parts in order of application (the first part is applied first to
 * the base draw), each a flow kind and a repeat count, with the span of the part in the text the
 * user wrote.
 */
public record FlowFormula(String text, List<Part> parts) {

  /** One {@code name} or {@code name*count} part. */
  public record Part(FlowKind kind, int count, Span span) {}

  public FlowFormula {
    parts = List.copyOf(parts);
  }

  /** Every flow in order of application, repeats expanded: {@code scale-hh*2} gives [SCALE, HH, HH]. */
  public List<FlowKind> flows() {
    List<FlowKind> out = new ArrayList<>();
    for (Part p : parts) {
      out.addAll(Collections.nCopies(p.count(), p.kind()));
    }
    return out;
  }

  /** The normalized formula, as PyMC3 prints it: lower case, no spaces, repeats kept. */
  public String normalized() {
    return parts.stream()
        .map(p -> p.count() == 1 ? p.kind().shortName() : p.kind().shortName() + "*" + p.count())
        .collect(Collectors.joining("-"));
  }

  /** The expanded chain ({@code scale-hh-hh-loc}), PyMC3's {@code Formula.formula}. */
  public String expanded() {
    return flows().stream().map(FlowKind::shortName).collect(Collectors.joining("-"));
  }
}
