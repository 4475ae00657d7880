package io.flowc.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.runtime.LogDensity;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Data-only subexpressions are computed once per binding, and the kernels read them. */
class DataHoistingTest {

  @Test
  void kidiqsInteractionOfTwoDataVectorsIsComputedOncePerBinding() throws Exception {
    CheckedModel model = TestPaths.checkExample(TestPaths.example("kidiq_interaction"));
    Compilation.DataPlan plan = Compilation.dataPlan(model);
    List<String> keys = plan.derived().stream().map(DataHoisting.Derived::key).toList();
    assertTrue(keys.stream().anyMatch(k -> k.startsWith("mul(data mom_hs@") && k.contains("data mom_iq@")), keys::toString);
    int raw = model.dataLayout().size();
    assertEquals(raw, plan.derived().get(0).offset(), "derived values follow the raw data");

    // after hoisting, nothing that depends on data alone is computed from data leaves at each evaluation
    IrFunction hoisted = DataHoisting.apply(Compilation.valueAndGradient(model), plan.derived());
    for (Node n : hoisted.liveNodes()) {
      if (!n.dependsOnInputs() && n.op().kind != Op.Kind.LEAF) {
        assertFalse(n.args().stream().anyMatch(a -> a.op() == Op.DATA && a.attr(0) < raw),
            "still computed from raw data at every evaluation: " + n);
      }
    }
  }

  @Test
  void hoistedKernelsGiveTheSameBitsAsTheUnhoistedIr() throws Exception {
    for (String name : List.of("kidiq_interaction", "eight_schools_noncentered", "sblrc_blr", "earnings")) {
      CheckedModel model = TestPaths.checkExample(TestPaths.example(name));
      LogDensity density = Compilation.load(model);
      IrFunction ir = Compilation.valueAndGradient(model);
      double[] z = new double[model.dimension()];
      for (int i = 0; i < z.length; i++) {
        z[i] = 0.1 * (i % 7) - 0.2;
      }
      double[] gradient = new double[z.length];
      double value = density.logDensityGradient(z, gradient, new double[density.workspaceSize()]);
      assertEquals(IrEvaluator.evaluate(ir, z, model.dataValues()).get(Compilation.LOGP)[0], value, 0, name);
    }
  }

  @Test
  void modelsWithoutDataHaveNoDataRegion() throws Exception {
    CheckedModel model = TestPaths.checkExample(TestPaths.example("pot1"));
    assertEquals(0, Compilation.dataPlan(model).reserved());
    assertEquals(0, Compilation.dataWorkspace(model, Compilation.kernels(model).value()).length);
  }
}
