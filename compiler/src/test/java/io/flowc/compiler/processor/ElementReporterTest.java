package io.flowc.compiler.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic;
import org.junit.jupiter.api.Test;

/** A bug in flowc reaches the user as one javac error, with a stack trace only when asked for. */
class ElementReporterTest {
  static final class RecordingMessager implements Messager {
    final List<String> messages = new ArrayList<>();

    @Override
    public void printMessage(Diagnostic.Kind kind, CharSequence msg) {
      messages.add(kind + " " + msg);
    }

    @Override
    public void printMessage(Diagnostic.Kind kind, CharSequence msg, Element e) {
      printMessage(kind, msg);
    }

    @Override
    public void printMessage(Diagnostic.Kind kind, CharSequence msg, Element e, AnnotationMirror a) {
      printMessage(kind, msg);
    }

    @Override
    public void printMessage(Diagnostic.Kind kind, CharSequence msg, Element e, AnnotationMirror a, AnnotationValue v) {
      printMessage(kind, msg);
    }
  }

  static Exception bug() {
    try {
      List.of().get(3);
      throw new AssertionError("unreachable");
    } catch (IndexOutOfBoundsException e) {
      return e;
    }
  }

  @Test
  void anInternalErrorIsOneLineWithoutAStackTrace() {
    RecordingMessager messager = new RecordingMessager();
    ElementReporter reporter = new ElementReporter(messager, null, null);
    reporter.internalError(bug(), false);
    assertTrue(reporter.hasErrors());
    assertEquals(1, messager.messages.size());
    String message = messager.messages.get(0);
    assertTrue(message.startsWith("ERROR flowc internal error while compiling this model: "
        + "ArrayIndexOutOfBoundsException: Index 3 out of bounds for length 0 (a bug in flowc; please report it "
        + "with the stack trace that -Aflowc.debug=true shows)"), message);
    assertFalse(message.contains("\n"), message);
  }

  @Test
  void withTheDebugOptionTheStackTraceFollows() {
    RecordingMessager messager = new RecordingMessager();
    new ElementReporter(messager, null, null).internalError(bug(), true);
    String message = messager.messages.get(0);
    assertTrue(message.contains("\n\tat "), message);
    assertTrue(message.contains(ElementReporterTest.class.getName() + ".bug"), message);
  }
}
