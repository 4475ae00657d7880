package io.flowc.generated;

import io.flowc.annotations.FlowModel;

/** Workload W4: a hundred reflections, generated as one loop over them. */
@FlowModel(source = "models/normal100.flow", flows = "scale-hh*100-loc")
interface Normal100 {}
