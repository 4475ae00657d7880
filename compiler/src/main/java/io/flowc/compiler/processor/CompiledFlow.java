package io.flowc.compiler.processor;

import io.flowc.compiler.frontend.FlowFormula;
import java.util.LinkedHashSet;
import java.util.Set;

/** One formula of {@code flows}: as written, parsed, and the name of its generated kernel class. */
record CompiledFlow(String written, FlowFormula formula, String className) {
  /** The strings {@code flow(...)} accepts for it: the normalized form and the form as written. */
  Set<String> names() {
    Set<String> names = new LinkedHashSet<>();
    names.add(formula.normalized());
    names.add(written);
    return names;
  }
}
