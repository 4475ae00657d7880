package io.flowc.generated;

import io.flowc.annotations.FlowModel;

@FlowModel(source = "models/pot3.flow", flows = {"planar*8", "scale-hh*2-loc"})
interface Pot3 {}
