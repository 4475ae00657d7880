package io.flowc.generated;

import io.flowc.annotations.FlowModel;

/** Bounds computed from earlier parameters and from data, and derived quantities: reported by generated code. */
@FlowModel(code = Bounds.CODE, data = "bounds/bounds.json", flows = {"scale-loc"})
interface Bounds {
  String CODE = """
      model bounds {
        data int N;
        data real lo[N];
        data real y[N];
        param a in (0, 1);
        param b in (0, 1 - a);
        param tau[N] > lo;
        param c < a + 2;
        y ~ normal(tau * c, 1);
        derived total = a + b;
        derived shifted = tau - lo;
      }
      """;
}
