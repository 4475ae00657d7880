package io.flowc.compiler.processor;

import io.flowc.compiler.frontend.FlowFormula;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One formula of {@code flows}: as written, parsed, the name of its generated kernel class, and the
 * name of its kernel for calls that run draw by draw (null: the formula has one kernel; see
 * {@link io.flowc.compiler.driver.Compilation#javaDrawByDrawFlowKernel}).
 */
record CompiledFlow(String written, FlowFormula formula, String className, String drawByDrawClassName) {
  CompiledFlow(String written, FlowFormula formula, String className) {
    this(written, formula, className, null);
  }

  /** This formula with a kernel for calls that run draw by draw, named after its other kernel. */
  CompiledFlow withDrawByDraw() {
    return new CompiledFlow(written, formula, className, className + "_DrawByDraw");
  }

  /** The strings {@code flow(...)} accepts for it: the normalized form and the form as written. */
  Set<String> names() {
    Set<String> names = new LinkedHashSet<>();
    names.add(formula.normalized());
    names.add(written);
    return names;
  }
}
