package io.flowc.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.interp.Interpreter;
import io.flowc.compiler.ir.IrEvaluator;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.Node;
import io.flowc.runtime.Artifact;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.ParameterLayout;
import io.flowc.runtime.data.DataBinding;
import java.util.Map;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flowc check MODEL.flow [--at Z] [--json]}: checks a model and optionally evaluates it. */
@Command(
    name = "check",
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "Check a model and summarize it, or report every error in it.",
        "%nPrints the model's name, its parameter elements and dimension, and its number of contributions. "
            + "With --at, also evaluates the potential U, the log density log p = -U (up to a constant) "
            + "and the gradient of log p at one point, with the compiled model.%n"
    },
    footerHeading = "%nExamples:%n",
    footer = {
        "  flowc check examples/pot1.flow",
        "  flowc check examples/pot1.flow --at 2.0,0.3",
        "  flowc check examples/pot1.flow --at -1.5,2 --json",
        "  flowc check examples/pot1.flow --at 2.0,0.3 --interpret"
    })
public final class CheckCommand implements Callable<Integer> {
  static final String AT = "--at";

  @Spec
  private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL.flow|ARTIFACT.jar",
      description = "The model file (UTF-8 text), or an artifact written by flowc compile.")
  private String modelFile;

  @Option(names = AT, paramLabel = "Z1,Z2,...",
      description = "Evaluate at this point: one number per parameter element, in declaration order, "
          + "comma-separated (e.g. --at 2.0,0.3 or --at=-1.5,2).")
  private String at;

  @Option(names = "--interpret",
      description = "Evaluate with the reference interpreter (and the IR evaluator for the gradient) "
          + "instead of generated code.")
  private boolean interpret;

  @Option(names = "--json", description = "Print one JSON object (the last line of stdout) instead of text.")
  private boolean json;

  @Mixin
  private DataOption data = new DataOption();

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  @Override
  public Integer call() throws CompileException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    double[] point = at == null ? null : Coordinates.parse(AT, at);
    ModelSummary summary;
    Evaluation evaluation = null;
    if (ModelFiles.isArtifact(modelFile)) {
      if (interpret) {
        throw new UserException("--interpret needs the model's source, not a compiled artifact");
      }
      Artifact artifact = ModelFiles.openArtifact(modelFile);
      summary = ModelSummary.of(artifact);
      DataBinding binding = ModelFiles.binding(artifact, data.file, err);
      if (point != null) {
        Coordinates.checkDimension(AT, point, summary);
        LogDensity density = ModelFiles.logDensity(artifact);
        evaluation = evaluate(binding == null ? density : binding.bind(density), point);
      }
    } else {
      CheckedModel model = ModelFiles.load(modelFile, data.file, err);
      summary = ModelSummary.of(model);
      if (point != null) {
        Coordinates.checkDimension(AT, point, summary);
        evaluation = interpret ? interpret(model, point) : evaluate(Compilation.load(model), point);
      }
    }
    if (json) {
      ObjectNode result = Json.object();
      result.put("model", summary.name());
      result.put("dimension", summary.dimension());
      if (evaluation != null) {
        Json.putNumber(result, "potential", evaluation.potential());
        Json.putNumber(result, "logp", evaluation.logp());
        ArrayNode gradient = result.putArray("gradient");
        for (double g : evaluation.gradient()) {
          Json.addNumber(gradient, g);
        }
      } else {
        ArrayNode names = result.putArray("parameters");
        summary.layout().elementNames().forEach(names::add);
        if (summary.layout().isConstrained()) {
          // z is on the unconstrained scale for these; samplers and fits report constrained values
          ObjectNode bounds = result.putObject("bounds");
          summary.layout().parameters().stream().filter(ParameterLayout.Parameter::isBounded)
              .forEach(p -> bounds.put(p.name(), Elements.bounds(p)));
        }
        result.put("potential_terms", summary.potentialTerms());
        result.put("logp_terms", summary.logpTerms());
      }
      out.println(Json.line(result));
    } else {
      out.println("model " + summary.name());
      out.println("parameters: " + Elements.describe(summary) + " (dimension " + summary.dimension() + ")");
      out.println("contributions: " + summary.potentialTerms() + " potential, " + summary.logpTerms() + " logp");
      if (evaluation != null) {
        out.println("potential: " + evaluation.potential());
        out.println("logp: " + evaluation.logp());
        out.println("gradient: " + java.util.Arrays.toString(evaluation.gradient()));
      }
    }
    return ExitCodes.OK;
  }

  /** U, log p and the gradient of log p (flat, in element order) at one point. */
  record Evaluation(double potential, double logp, double[] gradient) {}

  /** With generated code: a model compiled to bytecode and loaded, or an artifact's class. */
  static Evaluation evaluate(LogDensity density, double[] point) {
    double[] gradient = new double[point.length];
    double logp = density.logDensityGradient(point, gradient, new double[density.workspaceSize()]);
    return new Evaluation(-logp, logp, gradient);
  }

  /** With the reference interpreter, and the IR evaluator for the gradient. */
  static Evaluation interpret(CheckedModel model, double[] point) {
    Interpreter.Evaluation value = new Interpreter(model).evaluate(point);
    IrFunction f = Compilation.valueAndGradient(model);
    Map<String, double[]> values = IrEvaluator.evaluate(f, point, model.dataValues());
    double[] gradient = new double[point.length];
    for (Node input : f.inputs()) {
      double[] g = values.get(Compilation.gradientName(input));
      System.arraycopy(g, 0, gradient, f.offsetOf(input), g.length);
    }
    return new Evaluation(value.potential(), value.logp(), gradient);
  }

}
