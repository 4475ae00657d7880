package io.flowc.generated;

import io.flowc.annotations.FlowModel;

/** A posteriordb regression with data: sizes from the data file at build time, values bound at run time. */
@FlowModel(source = "models/kidiq_interaction.flow", data = "models/kidiq_interaction.json", flows = {"scale-loc"})
interface Kidiq {}
