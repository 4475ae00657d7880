package io.flowc.generated;

import io.flowc.annotations.FlowModel;

@FlowModel(source = "models/pot2.flow", flows = {"planar*8", "radial*4-loc"})
interface Pot2 {}
