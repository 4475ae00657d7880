package io.flowc.generated;

import io.flowc.annotations.FlowModel;

/** The notebook's fourth potential with the flows of workload W2. */
@FlowModel(source = "models/pot4.flow", flows = {"planar*10", "planar*8"})
interface Pot4 {}
