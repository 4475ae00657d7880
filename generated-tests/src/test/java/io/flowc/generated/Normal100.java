package io.flowc.generated;

import io.flowc.annotations.FlowModel;

/** Workload W4: the largest generated kernel, split into many methods. */
@FlowModel(source = "models/normal100.flow", flows = "scale-hh*100-loc")
interface Normal100 {}
