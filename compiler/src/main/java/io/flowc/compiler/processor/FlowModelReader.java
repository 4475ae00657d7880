package io.flowc.compiler.processor;

import io.flowc.annotations.FlowModel;
import io.flowc.compiler.processor.FlowModelRequest.Written;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.Elements;

/**
 * Reads a {@code @FlowModel} annotation into a {@link FlowModelRequest} and checks what can be
 * checked without the model: exactly one of {@code source} and {@code code}, and a usable
 * entry class name.
 */
final class FlowModelReader {
  static final String ENTRY_PREFIX = "Flowc_";

  private final Elements elements;

  FlowModelReader(Elements elements) {
    this.elements = elements;
  }

  /** The annotation mirror of {@code @FlowModel} on a type (null if javac could not resolve it). */
  static AnnotationMirror mirror(TypeElement type) {
    for (AnnotationMirror m : type.getAnnotationMirrors()) {
      TypeElement annotationType = (TypeElement) m.getAnnotationType().asElement();
      if (annotationType.getQualifiedName().contentEquals(FlowModel.class.getCanonicalName())) {
        return m;
      }
    }
    return null;
  }

  Optional<FlowModelRequest> read(TypeElement type, AnnotationMirror mirror, ElementReporter errors) {
    Map<? extends ExecutableElement, ? extends AnnotationValue> explicit = mirror.getElementValues();
    Map<? extends ExecutableElement, ? extends AnnotationValue> all = elements.getElementValuesWithDefaults(mirror);
    Written source = null;
    Written code = null;
    Written name = null;
    Written data = null;
    List<Written> flows = new ArrayList<>();
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e : all.entrySet()) {
      String member = e.getKey().getSimpleName().toString();
      AnnotationValue at = explicit.get(e.getKey());
      switch (member) {
        case "source" -> source = written(e.getValue(), at);
        case "code" -> code = written(e.getValue(), at);
        case "name" -> name = written(e.getValue(), at);
        case "data" -> data = written(e.getValue(), at);
        case "flows" -> flows = flows(e.getValue());
        default -> { }
      }
    }
    if (source == null || code == null || name == null || flows == null || data == null) {
      // a value javac could not attribute (it reports that error itself)
      return Optional.empty();
    }
    if (source.given() == code.given()) {
      errors.error(source.given()
          ? "@FlowModel takes the model from 'source' or from 'code', not both"
          : "@FlowModel needs the model: 'source' (a resource such as \"models/pot1.flow\") or 'code' (its text)",
          null);
    } else if (source.given() && source.text().isBlank()) {
      errors.error("@FlowModel source is empty; give a resource name such as \"models/pot1.flow\"", source.at());
    }
    String entryName = entryName(type, name, errors);
    if (errors.hasErrors()) {
      return Optional.empty();
    }
    return Optional.of(new FlowModelRequest(type, mirror, source, code, flows, entryName, data));
  }

  private static Written written(AnnotationValue value, AnnotationValue at) {
    return value.getValue() instanceof String s ? new Written(s, at) : null;
  }

  private static List<Written> flows(AnnotationValue value) {
    if (!(value.getValue() instanceof List<?> list)) {
      return null;
    }
    List<Written> flows = new ArrayList<>();
    for (Object item : list) {
      if (!(item instanceof AnnotationValue v) || !(v.getValue() instanceof String s)) {
        return null;
      }
      flows.add(new Written(s, v));
    }
    return flows;
  }

  /** {@code name}, or {@code Flowc_} and the simple names from the outermost type down, joined by '_'. */
  private static String entryName(TypeElement type, Written name, ElementReporter errors) {
    if (name.given()) {
      if (!SourceVersion.isName(name.text()) || name.text().contains(".")) {
        errors.error("@FlowModel name '" + name.text() + "' is not a Java class name (write a simple name such as "
            + "\"Pot1Model\", without a package)", name.at());
      }
      return name.text();
    }
    List<String> names = new ArrayList<>();
    Element e = type;
    while (e.getKind() != ElementKind.PACKAGE) {
      names.add(0, e.getSimpleName().toString());
      e = e.getEnclosingElement();
    }
    return ENTRY_PREFIX + String.join("_", names);
  }
}
