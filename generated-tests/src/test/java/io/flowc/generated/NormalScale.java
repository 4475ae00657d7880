package io.flowc.generated;

import io.flowc.annotations.FlowModel;

@FlowModel(source = "models/normal_scale.flow", flows = {"scale-loc", "planar*2"})
interface NormalScale {}
