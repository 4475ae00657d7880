package io.flowc.generated;

import io.flowc.annotations.FlowModel;

/** posteriordb's ARMA(1, 1): a loop over t compiled as a scan at build time, its data bound at run time. */
@FlowModel(source = "models/arma11.flow", data = "models/arma11.json", flows = {"scale-loc"})
interface Arma {}
