package io.flowc.generated;

import io.flowc.annotations.FlowModel;

/** The notebook's first potential with the flows of workloads W1 and W3. */
@FlowModel(source = "models/pot1.flow", flows = {"planar*8", "planar*2"})
interface Pot1 {}
