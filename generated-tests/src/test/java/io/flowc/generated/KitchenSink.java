package io.flowc.generated;

import io.flowc.annotations.FlowModel;

/** Every construct of the language, with every flow kind; the second formula is written loosely on purpose. */
@FlowModel(source = "models/kitchen_sink.flow", flows = {"loc-scale-planar-radial-hh", "Radial*2 - HH"})
interface KitchenSink {}
