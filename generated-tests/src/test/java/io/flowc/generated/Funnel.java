package io.flowc.generated;

import io.flowc.annotations.FlowModel;

/** A model kept next to the Java sources, found on the source path. */
@FlowModel(source = "io/flowc/generated/funnel.flow", flows = "scale-loc")
interface Funnel {}
