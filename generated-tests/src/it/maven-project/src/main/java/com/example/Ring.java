package com.example;

import io.flowc.annotations.FlowModel;

/** A model written inline. */
@FlowModel(code = """
    model ring {
      param z[2];
      potential 0.5 * square((norm(z) - 2) / 0.4);
    }
    """, flows = {"planar*4", "radial*2-loc"})
public interface Ring {}
