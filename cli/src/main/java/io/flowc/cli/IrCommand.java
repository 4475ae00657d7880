package io.flowc.cli;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.IrPrinter;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flowc ir MODEL.flow [--grad] [--lowered]}: the model's IR, for debugging a model. */
@Command(
    name = "ir",
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "Print a model's IR in SSA form: one line per node, then the outputs.",
        "%nBy default the simplified potential U; --grad adds log p and its gradient (the nodes the "
            + "compiled code computes), --lowered shows the IR before simplification. The last line "
            + "counts the nodes.%n"
    },
    footerHeading = "%nExamples:%n",
    footer = {"  flowc ir examples/pot1.flow", "  flowc ir examples/pot1.flow --grad"})
public final class IrCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL.flow", description = "The model file (UTF-8 text).")
  private String modelFile;

  @Option(names = "--grad", description = "Also the log density and its gradient.")
  private boolean grad;

  @Option(names = "--lowered", description = "The IR as lowered, before simplification (value only).")
  private boolean lowered;

  @Mixin
  private DataOption data = new DataOption();

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  @Override
  public Integer call() throws CompileException {
    PrintWriter out = spec.commandLine().getOut();
    if (grad && lowered) {
      throw new UserException("--grad and --lowered cannot be combined: the gradient is taken of the simplified IR");
    }
    CheckedModel model = ModelFiles.load(modelFile, data.file, spec.commandLine().getErr());
    IrFunction value = lowered ? Compilation.lowered(model) : Compilation.value(model);
    IrFunction shown = grad ? Compilation.valueAndGradient(model) : value;
    out.print(IrPrinter.print(shown));
    int valueNodes = value.liveNodes().size();
    if (grad) {
      int all = shown.liveNodes().size();
      out.printf(Locale.ROOT, "# nodes: value %d, value and gradient %d (ratio %.2f)%n", valueNodes, all,
          (double) all / valueNodes);
    } else {
      out.printf(Locale.ROOT, "# nodes: %d%n", valueNodes);
    }
    return ExitCodes.OK;
  }
}
