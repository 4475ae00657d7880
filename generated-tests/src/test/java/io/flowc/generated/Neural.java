package io.flowc.generated;

import io.flowc.annotations.FlowModel;

/**
 * The notebook's first potential with neural flows: runs of four or more loop in fits of few draws
 * a step, so their formulas get two kernels, switched per call; sylvester's short run has one.
 */
@FlowModel(source = "models/pot1.flow", flows = {"nsf(hidden=8)*4", "realnvp(hidden=8)*5", "iaf(hidden=8)*4",
    "sylvester*2"}, name = "NeuralPot1")
interface Neural {}
