package io.flowc.cli;

import io.flowc.compiler.diag.CompileException;
import io.flowc.plot.ConstrainedDensity;
import io.flowc.plot.DensityFigure;
import io.flowc.plot.DensityGrid;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flowc plot}: the target density exp(-U) of 2-d models as banded heat maps, one panel per model. */
@Command(
    name = "plot",
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "Draw the target density exp(-U) of one or more 2-d models as a PNG: a filled contour of ten bands "
            + "between 0 and the largest value in the window, one panel per model (four models make the "
            + "notebook's 2 x 2 figure). Bounded parameters are drawn on their own scale, with the density of "
            + "their values, in a window inside their bounds by default.",
        "%nFits, NUTS runs and comparisons have pictures of their own: flowc fit --plot and --plot-track, "
            + "flowc sample --plot, flowc compare.%n"
    },
    footerHeading = "%nExamples:%n",
    footer = {
        "  flowc plot examples/pot1.flow -o pot1.png",
        "  flowc plot examples/pot1.flow examples/pot2.flow examples/pot3.flow examples/pot4.flow -o pots.png",
        "  flowc plot model.flow --xlim=-10,10 --ylim=-2,6 --width 800 --height 600 -o model.png"
    })
public final class PlotCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "MODEL.flow|ARTIFACT.jar", description = "2-d models, or their artifacts.")
  private List<String> modelFiles;

  @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE.png", description = "The picture to write.")
  private String out;

  @Mixin
  private ImageSize size;

  @Mixin
  private WindowOptions window;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  @Override
  public Integer call() throws CompileException {
    PrintWriter stderr = spec.commandLine().getErr();
    size.check();
    window.check();
    PngOutput.check("-o", out);
    List<DensityFigure.Panel> panels = new ArrayList<>();
    for (String file : modelFiles) {
      LoadedModel model = LoadedModel.load(file, stderr);
      if (model.dimension() != 2) {
        throw new UserException(file + ": flowc plot draws 2-d models, and '" + model.name() + "' has dimension "
            + model.dimension() + " (flowc fit --plot shows pairs of elements of larger models)");
      }
      DensityGrid grid;
      try {
        grid = grid(model);
      } catch (IllegalArgumentException e) {
        throw new UserException(file + ": " + e.getMessage());
      }
      panels.add(new DensityFigure.Panel(model.name(), grid, model.elements().get(0), model.elements().get(1)));
    }
    PngOutput.write("-o", size.render(DensityFigure.of(panels)), out);
    return ExitCodes.OK;
  }

  /**
   * The model's density on the scale users see: bounded parameters are drawn as the values they
   * take, with the density of those values (the compiled density of the unconstrained point
   * divided by the transform's Jacobian), in a window that stays inside their bounds unless
   * --xlim or --ylim says otherwise.
   */
  private DensityGrid grid(LoadedModel model) {
    if (!model.parameters().isConstrained()) {
      return DensityGrid.of(model.density(), window.boxOrNotebook(), window.resolution());
    }
    if (model.parameters().hasComputedBounds()) {
      // the density of x divides by |dx/du|, which needs the bounds at x: known only to the model's code, at u
      throw new UserException(model.name() + ": a picture of the density needs constant bounds; this model's are"
          + " computed from other parameters or data (sample it and plot the draws: flowc sample --plot)");
    }
    ConstrainedDensity density = new ConstrainedDensity(model.density(), model.parameters());
    return DensityGrid.of(density, window.boxOr(density.defaultBox()), window.resolution());
  }
}
