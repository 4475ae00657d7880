package io.flowc.compiler.driver;

import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.ir.Differentiator;
import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.Graphs;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.IrVerifier;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.ir.Op;
import io.flowc.compiler.lower.ModelLowering;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place the compiler's stages are wired together. Every entry point (the CLI, the
 * annotation processor, the run-time compiler) goes through here, so they all see the same IR.
 */
public final class Compilation {
  /** Output names of {@link #valueAndGradient}. */
  public static final String POTENTIAL = ModelLowering.POTENTIAL;
  public static final String LOGP = "logp";

  private Compilation() {}

  /** The model as lowered, before any rewriting (for debugging and for testing the simplifier). */
  public static IrFunction lowered(CheckedModel model) {
    return IrVerifier.verify(ModelLowering.lower(model, new Graph(false)));
  }

  /** The simplified value: the potential U(z) only. */
  public static IrFunction value(CheckedModel model) {
    return IrVerifier.verify(Graphs.rebuild(lowered(model), new Graph(true)));
  }

  /**
   * The potential U(z), log p(z) = -U(z), and the gradient of log p with respect to each
   * parameter (outputs {@code grad.NAME}), sharing nodes with the value, simplified, with dead
   * nodes dropped.
   */
  public static IrFunction valueAndGradient(CheckedModel model) {
    IrFunction value = value(model);
    Graph g = value.graph();
    Node logp = g.neg(value.output(POTENTIAL));
    List<Node> gradient = Differentiator.gradient(g, logp, value.inputs());
    List<IrFunction.Output> outputs = new ArrayList<>();
    outputs.add(new IrFunction.Output(LOGP, logp));
    for (int i = 0; i < gradient.size(); i++) {
      outputs.add(new IrFunction.Output(gradientName(value.inputs().get(i)), gradient.get(i)));
    }
    IrFunction withGradient = IrVerifier.verify(value.withOutputs(outputs));
    return IrVerifier.verify(Graphs.rebuild(withGradient, new Graph(true)));
  }

  /** The output holding the gradient of log p with respect to an input. */
  public static String gradientName(Node input) {
    if (input.op() != Op.INPUT) {
      throw new IllegalArgumentException(input + " is not an input");
    }
    return "grad." + input.name();
  }
}
