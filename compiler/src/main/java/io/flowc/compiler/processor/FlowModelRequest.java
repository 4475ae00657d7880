package io.flowc.compiler.processor;

import java.util.List;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;

/**
 * What one {@code @FlowModel} asks for, read from its annotation mirror. Every value keeps the
 * {@link AnnotationValue} it was written as, so that an error about it is reported on it.
 */
record FlowModelRequest(TypeElement type, AnnotationMirror annotation, Written source, Written code,
    List<Written> flows, String entryName, Written data) {

  /** A string value and where the user wrote it ({@code at} is null for a default value). */
  record Written(String text, AnnotationValue at) {
    boolean given() {
      return at != null;
    }
  }

  FlowModelRequest {
    flows = List.copyOf(flows);
  }

  /** Generated classes go in the annotated type's package ("" for the unnamed package). */
  String packageName() {
    Element e = type;
    while (e.getKind() != ElementKind.PACKAGE) {
      e = e.getEnclosingElement();
    }
    return ((PackageElement) e).getQualifiedName().toString();
  }

  String qualifiedName(String simpleName) {
    return packageName().isEmpty() ? simpleName : packageName() + "." + simpleName;
  }

  /** Where the model text was written: the {@code source} value, else the {@code code} value. */
  AnnotationValue modelValue() {
    return source.given() ? source.at() : code.at();
  }

  /** The log density class: {@code Flowc_Pot1_Model}. */
  String modelClassName() {
    return entryName + "_Model";
  }

  /** The k-th formula's kernel class: {@code Flowc_Pot1_Flow0}. */
  /** The data prologue's class (a model with derived data values). */
  String dataClassName() {
    return entryName + "_Data";
  }

  /** The class computing what a draw reports (a model with derived quantities or computed bounds). */
  String reportedClassName() {
    return entryName + "_Reported";
  }

  String flowClassName(int k) {
    return entryName + "_Flow" + k;
  }
}
