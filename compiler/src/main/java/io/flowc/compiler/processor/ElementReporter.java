package io.flowc.compiler.processor;

import io.flowc.compiler.diag.Diagnostic;
import java.io.PrintWriter;
import java.io.StringWriter;
import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic.Kind;

/**
 * Reports the problems of one annotated type to javac, positioned on the annotation value they
 * concern when there is one (javac then shows that value's line), else on the annotation, and
 * remembers whether any was an error so that nothing is generated for that type.
 */
final class ElementReporter {
  private final Messager messager;
  private final Element element;
  private final AnnotationMirror annotation;
  private int errors;

  ElementReporter(Messager messager, Element element, AnnotationMirror annotation) {
    this.messager = messager;
    this.element = element;
    this.annotation = annotation;
  }

  void error(String message, AnnotationValue at) {
    errors++;
    print(Kind.ERROR, message, at);
  }

  void note(String message) {
    print(Kind.NOTE, message, null);
  }

  /** A model or formula diagnostic: its {@code FILE:LINE:COL: message}, then the source line and a caret. */
  void report(Diagnostic d, AnnotationValue at) {
    if (d.severity() == Diagnostic.Severity.ERROR) {
      errors++;
    }
    print(d.severity() == Diagnostic.Severity.ERROR ? Kind.ERROR : Kind.WARNING, d.headline() + d.excerpt(), at);
  }

  /**
   * A bug in flowc: one error naming the exception, never a stack trace unless asked for, since
   * javac users read the build log for their own errors.
   */
  void internalError(Throwable t, boolean withStackTrace) {
    String what = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    StringBuilder message = new StringBuilder("flowc internal error while compiling this model: ").append(what)
        .append(" (a bug in flowc; please report it");
    if (withStackTrace) {
      StringWriter trace = new StringWriter();
      t.printStackTrace(new PrintWriter(trace));
      message.append(")\n").append(trace.toString().stripTrailing());
    } else {
      message.append(" with the stack trace that -A").append(FlowModelProcessor.OPTION_DEBUG).append("=true shows)");
    }
    error(message.toString(), null);
  }

  boolean hasErrors() {
    return errors > 0;
  }

  private void print(Kind kind, String message, AnnotationValue at) {
    if (at != null) {
      messager.printMessage(kind, message, element, annotation, at);
    } else if (annotation != null) {
      messager.printMessage(kind, message, element, annotation);
    } else {
      messager.printMessage(kind, message, element);
    }
  }
}
