package io.flowc.generated;

import io.flowc.annotations.FlowModel;

/** Bounded parameters: fitted on the unconstrained scale, their bounds carried by the layout. */
@FlowModel(code = Scales.CODE, flows = {"scale-loc", "planar*2"})
interface Scales {
  String CODE = """
      model scales {
        param sigma > 0;
        param p in (0, 1);
        param tau[2] > 2 * pi;
        param y[3];
        y ~ normal(0, sigma);
        sigma ~ lognormal(0, 1);
        tau ~ exponential(1);
        logp += beta_lpdf(p, 2, 3);
      }
      """;
}
