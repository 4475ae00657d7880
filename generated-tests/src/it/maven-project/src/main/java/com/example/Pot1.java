package com.example;

import io.flowc.annotations.FlowModel;
import io.flowc.runtime.nfvi.Fit;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.optim.Optimizers;
import java.util.List;

/** Fits eight planar flows to the notebook's first potential, compiled at build time. */
@FlowModel(source = "models/pot1.flow", flows = "planar*8")
public final class Pot1 {
  public static void main(String[] args) {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 10000;
    Nfvi nfvi = Flowc_Pot1.nfvi("planar*8");
    Fit fit = nfvi.fit(new Nfvi.Settings(iterations, Optimizers.byName("adam", 0.01), 10, 1.0, 42,
        Nfvi.Settings.NO_CLIPPING, List.of()));
    System.out.println(fit.finishLine(iterations));
    Nfvi.Evaluation evaluation = nfvi.evaluate(fit.parameters(), 10000, 42);
    System.out.printf("final loss %.4f +- %.4f%n", evaluation.finalLoss(), evaluation.standardError());
  }
}
