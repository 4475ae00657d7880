package io.flowc.compiler.processor;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.JavaFile;
import io.flowc.annotations.FlowModel;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.runtime.data.DataSet;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.tools.JavaFileObject;

/**
 * The {@code @FlowModel} processor: for each annotated type, read the annotation, find the model's
 * text, check the model and its formulas, and write the generated classes. Each type is handled
 * on its own: an error, or even a bug, in one model reports on that type and the others are still
 * generated.
 *
 * <p>Options: {@code -Aflowc.verbose=true} notes each model compiled and how long it took;
 * {@code -Aflowc.debug=true} adds the stack trace to an internal error.
 */
public final class FlowModelProcessor extends AbstractProcessor {
  static final String OPTION_DEBUG = "flowc.debug";
  static final String OPTION_VERBOSE = "flowc.verbose";
  private static final String GENERATED = "javax.annotation.processing.Generated";

  private FlowModelReader reader;
  private ModelSourceLocator locator;
  private FlowModelGenerator generator;
  private boolean debug;
  private boolean verbose;

  @Override
  public synchronized void init(ProcessingEnvironment env) {
    super.init(env);
    reader = new FlowModelReader(env.getElementUtils());
    locator = new ModelSourceLocator(env.getFiler());
    generator = new FlowModelGenerator(generatedAnnotation(env));
    debug = Boolean.parseBoolean(env.getOptions().get(OPTION_DEBUG));
    verbose = Boolean.parseBoolean(env.getOptions().get(OPTION_VERBOSE));
  }

  /** {@code @Generated} without a date (output is deterministic), if the compilation can see it. */
  private static AnnotationSpec generatedAnnotation(ProcessingEnvironment env) {
    if (env.getElementUtils().getTypeElement(GENERATED) == null) {
      return null;
    }
    return AnnotationSpec.builder(ClassName.bestGuess(GENERATED))
        .addMember("value", "$S", FlowModelProcessor.class.getName()).build();
  }

  @Override
  public Set<String> getSupportedAnnotationTypes() {
    return Set.of(FlowModel.class.getCanonicalName());
  }

  @Override
  public Set<String> getSupportedOptions() {
    return Set.of(OPTION_DEBUG, OPTION_VERBOSE);
  }

  @Override
  public SourceVersion getSupportedSourceVersion() {
    return SourceVersion.latestSupported();
  }

  @Override
  public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    for (Element element : round.getElementsAnnotatedWith(FlowModel.class)) {
      if (element instanceof TypeElement type) {
        process(type);
      }
    }
    return false;
  }

  private void process(TypeElement type) {
    AnnotationMirror mirror = FlowModelReader.mirror(type);
    ElementReporter errors = new ElementReporter(processingEnv.getMessager(), type, mirror);
    if (mirror == null) {
      return;
    }
    long start = System.nanoTime();
    try {
      Optional<FlowModelRequest> request = reader.read(type, mirror, errors);
      if (request.isEmpty()) {
        return;
      }
      Optional<SourceFile> source = locator.read(request.get(), errors);
      if (source.isEmpty()) {
        return;
      }
      Optional<DataSet> data = locator.data(request.get(), errors);
      if (errors.hasErrors()) {
        return;
      }
      Optional<List<JavaFile>> files = generator.generate(request.get(), source.get(), data.orElse(null), errors);
      if (files.isPresent()) {
        write(type, files.get(), errors);
        if (verbose) {
          errors.note(String.format(Locale.ROOT, "flowc: %s compiled into %d classes in %.0f ms",
              source.get().name(), files.get().size(), (System.nanoTime() - start) / 1e6));
        }
      }
    } catch (RuntimeException | StackOverflowError e) {
      errors.internalError(e, debug);
    }
  }

  private void write(TypeElement type, List<JavaFile> files, ElementReporter errors) {
    for (JavaFile file : files) {
      String name = file.packageName().isEmpty() ? file.typeSpec().name()
          : file.packageName() + "." + file.typeSpec().name();
      try {
        JavaFileObject out = processingEnv.getFiler().createSourceFile(name, type);
        try (Writer writer = out.openWriter()) {
          file.writeTo(writer);
        }
      } catch (IOException e) {
        errors.error("cannot write the generated class " + name + ": " + e.getMessage()
            + " (does another @FlowModel use the same name?)", null);
      }
    }
  }
}
