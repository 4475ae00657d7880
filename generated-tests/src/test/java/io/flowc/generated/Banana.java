package io.flowc.generated;

import io.flowc.annotations.FlowModel;

/** A model given inline (a constant, so that the tests can compile the same text at run time). */
@FlowModel(code = Banana.CODE, flows = "planar*4", name = "BananaModel")
interface Banana {
  String CODE = """
      // Haario's twisted Gaussian ("banana"): z[1] is bent by z[0]^2.
      model banana {
        param z[2];
        potential 0.5 * square(z[0] / 2) + 0.5 * square(z[1] + 0.5 * (square(z[0]) - 4));
      }
      """;
}
