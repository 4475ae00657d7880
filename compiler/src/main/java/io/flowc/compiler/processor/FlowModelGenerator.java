package io.flowc.compiler.processor;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.TypeSpec;
import io.flowc.compiler.backend.CodeTooLargeException;
import io.flowc.compiler.backend.JavaSourceBackend;
import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.Diagnostic;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.processor.FlowModelRequest.Written;
import io.flowc.runtime.data.DataSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a model and its formulas, reporting every problem found, and, when there is none,
 * generates its classes through the driver, the same pipeline as the run-time compiler: the log
 * density, one kernel per formula, and the entry class. A model whose classes a class file
 * cannot hold is refused with the run-time compiler's reason.
 */
final class FlowModelGenerator {
  /** {@code @Generated}, or null where the compilation cannot see that annotation type. */
  private final AnnotationSpec generated;

  FlowModelGenerator(AnnotationSpec generated) {
    this.generated = generated;
  }

  Optional<List<JavaFile>> generate(FlowModelRequest request, SourceFile source, DataSet data, ElementReporter errors) {
    FrontEnd.Analysis analysis = FrontEnd.analyze(source, data);
    if (!analysis.ok() && analysis.diagnostics().isEmpty()) {
      throw new IllegalStateException("the front end rejected the model without a diagnostic");
    }
    for (Diagnostic d : analysis.diagnostics()) {
      errors.report(d, request.modelValue());
    }
    List<CompiledFlow> flows = formulas(request, errors);
    if (!analysis.ok() || errors.hasErrors()) {
      return Optional.empty();
    }
    // generated classes are bound to data at run time: sizes that only count rows stay free
    CheckedModel model = Compilation.freeSizes(analysis.model());
    for (CompiledFlow flow : flows) {
      try {
        flow.formula().layout(model.dimension());
      } catch (CompileException e) {
        Written written = request.flows().stream().filter(w -> w.text().equals(flow.written())).findFirst()
            .orElseThrow();
        e.diagnostics().forEach(d -> errors.report(d, written.at()));
      }
    }
    if (errors.hasErrors()) {
      return Optional.empty();
    }
    try {
      return Optional.of(files(request, source, model, flows));
    } catch (CodeTooLargeException e) {
      // the model's own fault, refused before any class is written; javac would only say "code too large"
      errors.error(e.getMessage(), request.modelValue());
      return Optional.empty();
    }
  }

  private List<JavaFile> files(FlowModelRequest request, SourceFile source, CheckedModel model,
      List<CompiledFlow> flows) {
    List<JavaFile> files = new ArrayList<>();
    files.add(file(request, Compilation.javaLogDensity(model, request.modelClassName())));
    List<CompiledFlow> kernels = new ArrayList<>();
    for (CompiledFlow flow : flows) {
      files.add(file(request, Compilation.javaFlowKernel(model, flow.formula(), flow.className())));
      // the kernel of fits with few draws a step, which the entry's switch picks per call
      CompiledFlow switched = flow.withDrawByDraw();
      TypeSpec drawByDraw = Compilation.javaDrawByDrawFlowKernel(model, flow.formula(), switched.drawByDrawClassName());
      if (drawByDraw != null) {
        files.add(file(request, drawByDraw));
      }
      kernels.add(drawByDraw != null ? switched : flow);
    }
    TypeSpec dataPrologue = Compilation.javaDataPrologue(model, request.dataClassName());
    if (dataPrologue != null) {
      files.add(file(request, dataPrologue));
    }
    TypeSpec reported = Compilation.javaReported(model, request.reportedClassName());
    if (reported != null) {
      files.add(file(request, reported));
    }
    files.add(file(request, EntryPointGenerator.entry(request, source.name(), model, kernels)));
    return files;
  }

  /** Every formula parsed, each error reported on its own array element; a repeat is an error too. */
  private static List<CompiledFlow> formulas(FlowModelRequest request, ElementReporter errors) {
    List<CompiledFlow> flows = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int k = 0; k < request.flows().size(); k++) {
      Written written = request.flows().get(k);
      FlowFormula formula;
      try {
        formula = FlowFormulaParsing.parse(written.text(), "flows[" + k + "]");
      } catch (CompileException e) {
        e.diagnostics().forEach(d -> errors.report(d, written.at()));
        continue;
      }
      Integer first = seen.putIfAbsent(formula.normalized(), k);
      if (first != null) {
        errors.error("flows[" + k + "] \"" + written.text() + "\" is the same formula as flows[" + first + "] \""
            + request.flows().get(first).text() + "\" (" + formula.normalized() + "); list each formula once",
            written.at());
        continue;
      }
      flows.add(new CompiledFlow(written.text(), formula, request.flowClassName(flows.size())));
    }
    return flows;
  }

  private JavaFile file(FlowModelRequest request, TypeSpec type) {
    TypeSpec.Builder builder = type.toBuilder().addOriginatingElement(request.type());
    if (generated != null) {
      builder.addAnnotation(generated);
    }
    return JavaSourceBackend.file(request.packageName(), builder.build());
  }
}
