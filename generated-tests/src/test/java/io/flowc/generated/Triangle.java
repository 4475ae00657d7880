package io.flowc.generated;

import io.flowc.annotations.FlowModel;

/** garch's bounds on a model without data: uniform on the triangle 0 < b < 1 - a. */
@FlowModel(code = Triangle.CODE, flows = {})
interface Triangle {
  String CODE = """
      model triangle {
        param a in (0, 1);
        param b in (0, 1 - a);
        derived total = a + b;
        logp += 0;
      }
      """;
}
