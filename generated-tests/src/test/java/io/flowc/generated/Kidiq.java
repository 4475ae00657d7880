package io.flowc.generated;

import io.flowc.annotations.FlowModel;

/**
 * A posteriordb regression with data: sizes from the data file at build time, values bound at run
 * time; its neural formula has two kernels, switched per call, bound to the data together.
 */
@FlowModel(source = "models/kidiq_interaction.flow", data = "models/kidiq_interaction.json", flows = {"scale-loc", "realnvp(hidden=4)*4"})
interface Kidiq {}
