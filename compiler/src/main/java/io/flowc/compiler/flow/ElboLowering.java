package io.flowc.compiler.flow;

import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.ir.Shape;
import io.flowc.compiler.lower.ModelLowering;
import io.flowc.runtime.flow.FlowLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loss of one base draw for a (model, flow stack) pair (spec section 4):
 * {@code log N(eps) - sum_k log|det J_k| + U(z_K)}, i.e. log q(z_K) - log p(z_K), whose mean over
 * draws is PyMC3's NFVI loss; and the sampling outputs z_K and log q(z_K). The flow parameters
 * are inputs (one per layout slot, in theta order) followed by the base draw {@code eps}.
 */
public final class ElboLowering {
  public static final String LOSS = "loss";
  public static final String LOGQ = "logq";
  public static final String Z = "z";
  public static final String EPS = "eps";
  private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

  private ElboLowering() {}

  /** One input per layout slot, in theta order, named {@code planar_0.u}. */
  public static Map<FlowLayout.Slot, Node> parameterInputs(Graph g, FlowLayout layout) {
    Map<FlowLayout.Slot, Node> parameters = new LinkedHashMap<>();
    for (int k = 0; k < layout.slots().size(); k++) {
      FlowLayout.Slot slot = layout.slots().get(k);
      parameters.put(slot, g.input(slot.qualifiedName(), k, FlowParameters.inputShape(slot.shape())));
    }
    return parameters;
  }

  public static IrFunction lower(CheckedModel model, FlowLayout layout, Graph g) {
    int d = model.dimension();
    Map<FlowLayout.Slot, Node> parameters = parameterInputs(g, layout);
    List<Node> inputs = new ArrayList<>(parameters.values());
    Node eps = g.input(EPS, layout.slots().size(), Shape.vector(d));
    inputs.add(eps);
    FlowLowering.Result flow = FlowLowering.apply(g, layout, parameters, eps);
    Node logBase = g.sub(g.sum(g.mul(g.constant(-0.5), g.square(eps))), g.constant(d * HALF_LOG_TWO_PI));
    Node logq = g.sub(logBase, flow.logDet());
    Node potential = ModelLowering.potential(model, g, modelParameters(model, g, flow.z()));
    return new IrFunction(g, inputs, List.of(
        new IrFunction.Output(LOSS, g.add(logq, potential)),
        new IrFunction.Output(LOGQ, logq),
        new IrFunction.Output(Z, flow.z())));
  }

  /** The model's parameters as pieces of the flat z_K. */
  private static List<Node> modelParameters(CheckedModel model, Graph g, Node z) {
    List<Node> out = new ArrayList<>();
    for (CheckedModel.Param p : model.params()) {
      out.add(p.isScalar() ? g.index(z, p.offset()) : g.slice(z, p.offset(), p.size()));
    }
    return out;
  }
}
