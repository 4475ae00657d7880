package io.flowc.compiler.processor;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeSpec;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.driver.DerivedQuantities;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.ParameterLayout;
import io.flowc.runtime.Reported;
import io.flowc.runtime.data.DataBinding;
import io.flowc.runtime.data.DataException;
import io.flowc.runtime.data.DataLayout;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.flow.DrawsSwitch;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowFormulas;
import io.flowc.runtime.flow.FlowKind;
import io.flowc.runtime.flow.FlowSpec;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.nfvi.Nfvi;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * The entry class of a model ({@code Flowc_Pot1}): static methods that hand out the generated
 * log density and flow kernels with the layouts the runtime's NFVI (and samplers) need, so user
 * code names no generated class but this one.
 */
final class EntryPointGenerator {
  private static final ClassName LIST = ClassName.get(List.class);
  private static final ParameterizedTypeName LIST_OF_STRINGS = ParameterizedTypeName.get(List.class, String.class);

  private EntryPointGenerator() {}

  static TypeSpec entry(FlowModelRequest request, String sourceName, CheckedModel model, List<CompiledFlow> flows) {
    TypeSpec.Builder entry = common(request, sourceName, model, flows);
    return model.dataLayout().isEmpty() ? entry.build() : withData(entry, request, model).build();
  }

  /**
   * A model with data: its classes read the data from the workspace, so the entry hands them out
   * bound ({@code model(DataSet)}, {@code flow(formula, DataSet)}, {@code nfvi(formula, DataSet)});
   * the forms without data refuse rather than compute with no data.
   */
  private static TypeSpec.Builder withData(TypeSpec.Builder entry, FlowModelRequest request, CheckedModel model) {
    ClassName modelClass = ClassName.get(request.packageName(), request.modelClassName());
    CodeBlock prologue = Compilation.dataPrologue(model) == null ? CodeBlock.of("null")
        : CodeBlock.of("new $T()", ClassName.get(request.packageName(), request.dataClassName()));
    return entry
        .addField(constant(String.class, "DATA_LAYOUT", "The data declarations and the sizes compiled in.",
            CodeBlock.of("$S", model.dataLayout().encode())))
        .addField(constant(String.class, "DATA_REGION", "The data's part of every workspace (see DataRegion).",
            CodeBlock.of("$S", Compilation.dataPlan(model).region().encode())))
        .addField(FieldSpec.builder(String.class, "NEEDS_DATA", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
            .initializer("$S", "model " + model.name() + " declares data: pass its values (a DataSet, from StanJson)")
            .build())
        .addMethod(MethodSpec.methodBuilder("dataLayout")
            .addJavadoc("The model's data declarations: fixed sizes with their values, free ones by name.\n")
            .addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(DataLayout.class)
            .addStatement("return $T.decode(DATA_LAYOUT)", DataLayout.class).build())
        .addMethod(MethodSpec.methodBuilder("bind")
            .addJavadoc("Binds data, checked against the declarations and the sizes compiled in.\n"
                + "\n@throws $T naming what does not fit\n", DataException.class)
            .addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(DataBinding.class)
            .addParameter(DataSet.class, "data")
            .addStatement("return new $T(dataLayout(), dataLayout().pack(data), $L, $T.decode(DATA_REGION))",
                DataBinding.class, prologue, io.flowc.runtime.data.DataRegion.class)
            .build())
        .addMethod(MethodSpec.methodBuilder("model")
            .addJavadoc("The model's log density on the given data.\n")
            .addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(LogDensity.class)
            .addParameter(DataSet.class, "data")
            .addStatement("return bind(data).bind(new $T())", modelClass).build())
        .addMethod(MethodSpec.methodBuilder("flow")
            .addJavadoc("Refused: the model declares data; use {@code flow(formula, DataSet)}.\n")
            .addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(FlowKernel.class)
            .addParameter(String.class, "formula")
            .addStatement("throw new $T(NEEDS_DATA)", IllegalStateException.class).build())
        .addMethod(MethodSpec.methodBuilder("flow")
            .addJavadoc("A compiled formula's NFVI kernel on the given data.\n")
            .addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(FlowKernel.class)
            .addParameter(String.class, "formula")
            .addParameter(DataSet.class, "data")
            .addStatement("return bind(data).bind(kernel(formula))").build())
        .addMethod(MethodSpec.methodBuilder("reported")
            .addJavadoc("What a draw reports on the given data: the parameters as users see them (its {@code layout()}\n"
                + "constrains points), then the derived quantities ({@link #derivedNames()}).\n")
            .addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(Reported.class)
            .addParameter(DataSet.class, "data")
            .addStatement(Compilation.reportedKernels(model) == null
                ? CodeBlock.of("return $T.of(parameterLayout())", Reported.class)
                : CodeBlock.of("return $T.compiled(parameterLayout(), derivedNames(), bind(data).bind(new $T()))",
                    Reported.class, ClassName.get(request.packageName(), request.reportedClassName())))
            .build())
        .addMethod(MethodSpec.methodBuilder("nfvi")
            .addJavadoc("Normalizing-flow variational inference of the model on the given data.\n")
            .addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(Nfvi.class)
            .addParameter(String.class, "formula")
            .addParameter(DataSet.class, "data")
            .addStatement("$T binding = bind(data)", DataBinding.class)
            .addStatement("return new $T(binding.bind(kernel(formula)), binding.bind(new $T()), flowLayout(formula))",
                Nfvi.class, modelClass).build());
  }

  private static TypeSpec.Builder common(FlowModelRequest request, String sourceName, CheckedModel model,
      List<CompiledFlow> flows) {
    boolean data = !model.dataLayout().isEmpty();
    ClassName self = ClassName.get(request.packageName(), request.entryName());
    ClassName modelClass = ClassName.get(request.packageName(), request.modelClassName());
    return TypeSpec.classBuilder(self)
        .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .addJavadoc("Model {@code $L} ({@code $L}), compiled at build time by flowc\n"
                + "for {@code $L}: its log density, and an NFVI loss and sampling kernel\n"
                + "for each flow formula. Generated classes need only flowc-runtime; they hold no state,\n"
                + "so one instance serves many threads.\n",
            model.name(), sourceName, request.type().getQualifiedName())
        .addField(constant(String.class, "MODEL_NAME", "The model's name, as declared in its source.",
            CodeBlock.of("$S", model.name())))
        .addField(constant(String.class, "SOURCE_SHA256", "SHA-256 of the model's source text (UTF-8).",
            CodeBlock.of("$S", Compilation.sha256(model.ast().source().text()))))
        .addField(constant(int.class, "DIMENSION", "The number of parameter elements: the length of z.",
            CodeBlock.of("$L", model.dimension())))
        .addField(FieldSpec.builder(LIST_OF_STRINGS, "FLOWS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
            .initializer("$T.of($L)", LIST, flows.stream().map(f -> CodeBlock.of("$S", f.formula().normalized()))
                .collect(CodeBlock.joining(", ")))
            .build())
        .addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build())
        .addMethod(data
            ? MethodSpec.methodBuilder("model")
                .addJavadoc("Refused: the model declares data; use {@code model(DataSet)}.\n")
                .addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(LogDensity.class)
                .addStatement("throw new $T(NEEDS_DATA)", IllegalStateException.class).build()
            : MethodSpec.methodBuilder("model")
                .addJavadoc("The model's log density log p(z) and its gradient.\n")
                .addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(LogDensity.class)
                .addStatement("return new $T()", modelClass).build())
        .addMethod(parameterLayout(model))
        .addMethod(data
            ? MethodSpec.methodBuilder("reported")
                .addJavadoc("Refused: the model declares data; use {@code reported(DataSet)}.\n")
                .addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(Reported.class)
                .addStatement("throw new $T(NEEDS_DATA)", IllegalStateException.class).build()
            : MethodSpec.methodBuilder("reported")
                .addJavadoc("What a draw reports: the parameters as users see them (its {@code layout()} constrains\n"
                    + "points), then the derived quantities ({@link #derivedNames()}).\n")
                .addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(Reported.class)
                .addStatement(Compilation.reportedKernels(model) == null
                    ? CodeBlock.of("return $T.of(parameterLayout())", Reported.class)
                    : CodeBlock.of("return $T.compiled(parameterLayout(), derivedNames(), new $T())", Reported.class,
                        ClassName.get(request.packageName(), request.reportedClassName())))
                .build())
        .addMethod(MethodSpec.methodBuilder("derivedNames")
            .addJavadoc("The derived quantities' element names ({@code derived NAME = EXPR;}), after the parameters'\n"
                + "in what {@code reported} writes.\n")
            .addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(LIST_OF_STRINGS)
            .addStatement("return $T.of($L)", LIST, DerivedQuantities.names(model).stream()
                .map(n -> CodeBlock.of("$S", n)).collect(CodeBlock.joining(", ")))
            .build())
        .addMethod(MethodSpec.methodBuilder("elementNames")
            .addJavadoc("Parameter element names in the order of z: {@code $L}.\n", elementNamesExample(model))
            .addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(LIST_OF_STRINGS)
            .addStatement("return parameterLayout().elementNames()").build())
        .addMethod(MethodSpec.methodBuilder("flows")
            .addJavadoc("The compiled flow formulas, normalized, in the order of {@code @FlowModel(flows)}.\n")
            .addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(LIST_OF_STRINGS)
            .addStatement("return FLOWS").build())
        .addMethod(flow(request, flows, data))
        .addMethod(flowLayout(flows))
        .addMethod(MethodSpec.methodBuilder("nfvi")
            .addJavadoc("Normalizing-flow variational inference of the model with a compiled formula's flows.\n")
            .addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(Nfvi.class)
            .addParameter(String.class, "formula")
            .addStatement("return new $T(flow(formula), model(), flowLayout(formula))", Nfvi.class).build())
        .addMethod(MethodSpec.methodBuilder("layout").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
            .returns(FlowLayout.class)
            .addParameter(FlowKind[].class, "kinds")
            .addParameter(int[].class, "counts")
            .addStatement("$T<$T> flows = new $T<>()", List.class, FlowKind.class, ArrayList.class)
            .beginControlFlow("for (int i = 0; i < kinds.length; i++)")
            .addStatement("flows.addAll($T.nCopies(counts[i], kinds[i]))", Collections.class)
            .endControlFlow()
            .addStatement("return $T.of(flows, DIMENSION)", FlowLayout.class).build())
        .addMethod(MethodSpec.methodBuilder("unknownFlow").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
            .returns(IllegalArgumentException.class)
            .addParameter(String.class, "formula")
            .addStatement("return new $T($S + formula + $S)", IllegalArgumentException.class,
                "model " + model.name() + " has no compiled flow '",
                "' (compiled: " + (flows.isEmpty() ? "none" : flows.stream().map(f -> f.formula().normalized())
                    .collect(Collectors.joining(", ")))
                    + "; add it to @FlowModel(flows = ...) of " + request.type().getQualifiedName() + ")")
            .build());
  }

  private static FieldSpec constant(Class<?> type, String name, String doc, CodeBlock value) {
    return FieldSpec.builder(type, name, Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc(doc + "\n").initializer(value).build();
  }

  private static MethodSpec parameterLayout(CheckedModel model) {
    CodeBlock parameters = model.params().stream()
        .map(p -> p.ordered()
            ? CodeBlock.of("new $T($S, $L, $T.NEGATIVE_INFINITY, $T.POSITIVE_INFINITY, true)",
                ParameterLayout.Parameter.class, p.name(), p.size(), Double.class, Double.class)
            : p.isBounded()
            ? CodeBlock.of("new $T($S, $L, $L, $L)", ParameterLayout.Parameter.class, p.name(), p.size(),
                bound(p.lower()), bound(p.upper()))
            : CodeBlock.of("new $T($S, $L)", ParameterLayout.Parameter.class, p.name(), p.size()))
        .collect(CodeBlock.joining(", "));
    return MethodSpec.methodBuilder("parameterLayout")
        .addJavadoc("The model's parameters in declaration order and their places in z.\n")
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(ParameterLayout.class)
        .addStatement("return new $T($T.of($L))", ParameterLayout.class, LIST, parameters).build();
  }

  /** A bound as Java source: an infinite bound by name, a finite one exactly (Double.toString round-trips). */
  private static CodeBlock bound(double value) {
    if (value == Double.POSITIVE_INFINITY) {
      return CodeBlock.of("$T.POSITIVE_INFINITY", Double.class);
    } else if (value == Double.NEGATIVE_INFINITY) {
      return CodeBlock.of("$T.NEGATIVE_INFINITY", Double.class);
    } else if (Double.isNaN(value)) {
      return CodeBlock.of("$T.NaN", Double.class); // computed from other parameters or data
    }
    return CodeBlock.of("$L", Double.toString(value));
  }

  /** The first few element names, for the javadoc: {@code z[0], z[1], ...}. */
  private static String elementNamesExample(CheckedModel model) {
    List<String> names = model.elementNames();
    return names.stream().limit(3).collect(Collectors.joining(", ")) + (names.size() > 3 ? ", ..." : "");
  }

  /** A switch expression over the names each formula answers to, or a plain throw when there is none. */
  /** {@code flow(formula)}, or for a model with data the private {@code kernel(formula)} its bound forms use. */
  private static MethodSpec flow(FlowModelRequest request, List<CompiledFlow> flows, boolean data) {
    MethodSpec.Builder m = MethodSpec.methodBuilder(data ? "kernel" : "flow")
        .addJavadoc("The NFVI loss and sampling kernel compiled for a formula, named as in\n"
            + "{@code @FlowModel(flows)} or normalized ({@code planar*8}).\n"
            + "\n@throws IllegalArgumentException if no kernel was compiled for it\n")
        .addModifiers(data ? Modifier.PRIVATE : Modifier.PUBLIC, Modifier.STATIC).returns(FlowKernel.class)
        .addParameter(String.class, "formula");
    if (flows.isEmpty()) {
      return m.addStatement("throw unknownFlow(formula)").build();
    }
    CodeBlock.Builder body = CodeBlock.builder().add("return switch (formula) {\n").indent();
    for (CompiledFlow f : flows) {
      ClassName kernel = ClassName.get(request.packageName(), f.className());
      if (f.drawByDrawClassName() == null) {
        body.add("case $L -> new $T();\n", labels(f), kernel);
      } else {
        body.add("case $L -> $T.of(new $T(), new $T(), $L);\n", labels(f), DrawsSwitch.class,
            ClassName.get(request.packageName(), f.drawByDrawClassName()), kernel, Compilation.drawByDrawBelow());
      }
    }
    body.add("default -> throw unknownFlow(formula);\n").unindent().add("};\n");
    return m.addCode(body.build()).build();
  }

  private static MethodSpec flowLayout(List<CompiledFlow> flows) {
    MethodSpec.Builder m = MethodSpec.methodBuilder("flowLayout")
        .addJavadoc("Where each flow parameter of a compiled formula lies in theta, and its name.\n"
            + "\n@throws IllegalArgumentException if no kernel was compiled for the formula\n")
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(FlowLayout.class)
        .addParameter(String.class, "formula");
    if (flows.isEmpty()) {
      return m.addStatement("throw unknownFlow(formula)").build();
    }
    CodeBlock.Builder body = CodeBlock.builder().add("return switch (formula) {\n").indent();
    for (CompiledFlow f : flows) {
      List<FlowFormula.Part> parts = f.formula().parts();
      if (parts.stream().anyMatch(p -> !p.spec().equals(FlowSpec.of(p.kind())))) {
        // options need the formula's reader; a formula of flows with default options keeps the plain form
        body.add("case $L -> $T.layout($S, DIMENSION);\n", labels(f), FlowFormulas.class, f.formula().normalized());
        continue;
      }
      body.add("case $L -> layout(new $T[] {$L}, new int[] {$L});\n", labels(f), FlowKind.class,
          parts.stream().map(p -> CodeBlock.of("$T.$L", FlowKind.class, p.kind().name())).collect(CodeBlock.joining(", ")),
          parts.stream().map(p -> Integer.toString(p.count())).collect(Collectors.joining(", ")));
    }
    body.add("default -> throw unknownFlow(formula);\n").unindent().add("};\n");
    return m.addCode(body.build()).build();
  }

  private static CodeBlock labels(CompiledFlow f) {
    return f.names().stream().map(n -> CodeBlock.of("$S", n)).collect(CodeBlock.joining(", "));
  }
}
