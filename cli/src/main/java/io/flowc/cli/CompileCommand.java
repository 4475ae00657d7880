package io.flowc.cli;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.driver.ArtifactWriter;
import com.palantir.javapoet.JavaFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flowc compile MODEL.flow [--flow F]... -o MODEL.jar [--emit-java DIR]}: a compiled model artifact. */
@Command(
    name = "compile",
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "Compile a model into an artifact: a jar with its generated class, its source and metadata "
            + "(model name, parameter layout, SHA-256 of the source, flowc version), and the SHA-256 of each entry.",
        "%nOther commands take the artifact in place of the model file and skip compilation; the "
            + "runtime alone can load it. It is tied to the flowc version that wrote it, and checked "
            + "against its digests when loaded. Loading it runs its code: load only artifacts you trust.%n"
    },
    footerHeading = "%nExamples:%n",
    footer = {
        "  flowc compile examples/pot1.flow -o pot1.jar",
        "  flowc compile examples/pot1.flow --flow planar*8 --flow scale-loc -o pot1.jar",
        "  flowc check pot1.jar --at 2.0,0.3",
        "  flowc compile examples/pot1.flow -o pot1.jar --emit-java generated/"
    })
public final class CompileCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL.flow", description = "The model file (UTF-8 text).")
  private String modelFile;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "ARTIFACT.jar", description = "The jar to write.")
  private String output;

  @Option(names = "--flow", paramLabel = "FORMULA",
      description = "Also compile the NFVI loss of this flow formula (e.g. planar*8, scale-hh*10-loc); repeatable.")
  private List<String> flows = new ArrayList<>();

  @Option(names = "--emit-java", paramLabel = "DIR",
      description = "Also write the generated classes as readable Java source under DIR.")
  private String emitJava;

  @Mixin
  private DataOption data = new DataOption();

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  @Override
  public Integer call() throws CompileException {
    PrintWriter out = spec.commandLine().getOut();
    if (!ModelFiles.isArtifact(output)) {
      throw new UserException("-o " + output + ": an artifact's name must end in .jar");
    }
    // before compiling, so that a mistyped path costs nothing
    Path jar = OutputFile.check("-o", output);
    Path javaDir = emitJava == null ? null : OutputFile.checkDirectory("--emit-java", emitJava);
    List<FlowFormula> formulas = new ArrayList<>();
    for (String flow : flows) {
      formulas.add(FlowFormulaParsing.parse(flow));
    }
    // an artifact is refitted on other data: sizes that only count rows stay free
    CheckedModel model = Compilation.freeSizes(ModelFiles.load(modelFile, data.file, spec.commandLine().getErr()));
    for (FlowFormula formula : formulas) {
      formula.layout(model.dimension()); // what the model's dimension forbids, at the formula's column
    }
    try {
      ArtifactWriter.write(model, formulas, jar);
    } catch (IOException e) {
      throw OutputFile.failure("-o", output, e);
    }
    out.println("wrote " + output + " (model " + model.name() + ", dimension " + model.dimension()
        + (formulas.isEmpty() ? "" : ", flows " + String.join(", ", formulas.stream().map(FlowFormula::normalized).toList()))
        + ")");
    if (javaDir != null) {
      try {
        for (JavaFile file : ArtifactWriter.javaSources(model, formulas)) {
          out.println("wrote " + file.writeToPath(javaDir));
        }
      } catch (IOException e) {
        throw OutputFile.failure("--emit-java", emitJava, e);
      }
    }
    return ExitCodes.OK;
  }
}
