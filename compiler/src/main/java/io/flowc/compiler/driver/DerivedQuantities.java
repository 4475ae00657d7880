package io.flowc.compiler.driver;

import io.flowc.compiler.frontend.Ast;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.Type;
import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.IrEvaluator;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.lower.ModelLowering;
import io.flowc.runtime.Reported;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code sample} and {@code fit} report of a model's draws: its parameters and its derived
 * quantities ({@code derived NAME = EXPR;}, Stan's transformed parameters). The derived values are
 * computed once per reported draw after the run by the IR's evaluator (the semantics the backends
 * reproduce), from the model's data; they are never part of the density or its gradient.
 */
public final class DerivedQuantities {
  private DerivedQuantities() {}

  /** The reported values of a model checked with its data; the parameters alone when it has no derived quantities. */
  public static Reported of(CheckedModel model) {
    List<String> names = names(model);
    if (names.isEmpty()) {
      return Reported.of(model.layout());
    }
    IrFunction derived = ModelLowering.derived(model, new Graph(false));
    double[] data = model.dataValues();
    return Reported.withDerived(model.layout(), names, (z, out, offset) -> {
      int k = offset;
      for (double[] value : IrEvaluator.evaluate(derived, z, data).values()) {
        System.arraycopy(value, 0, out, k, value.length);
        k += value.length;
      }
    });
  }

  /** The derived quantities' element names in source order: {@code theta[0], theta[1], s}. */
  public static List<String> names(CheckedModel model) {
    List<String> names = new ArrayList<>();
    Map<String, Type> types = model.letTypes();
    for (Ast.Statement s : model.ast().statements()) {
      if (s instanceof Ast.LetDecl l && l.derived()) {
        String name = l.name().text();
        Type t = types.get(name);
        if (t.isScalar()) {
          names.add(name);
        } else {
          for (int i = 0; i < t.length(); i++) {
            names.add(name + "[" + i + "]");
          }
        }
      }
    }
    return names;
  }
}
