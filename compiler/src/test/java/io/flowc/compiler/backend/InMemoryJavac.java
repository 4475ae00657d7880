package io.flowc.compiler.backend;

import com.palantir.javapoet.JavaFile;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/** Compiles generated Java source in memory with the platform's javac, for tests. */
final class InMemoryJavac {
  private InMemoryJavac() {}

  /** Class files by binary name; fails with javac's messages if the source does not compile. */
  static Map<String, byte[]> compile(JavaFile file) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    Map<String, ByteArrayOutputStream> outputs = new HashMap<>();
    StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, null, null);
    JavaFileManager manager = new ForwardingJavaFileManager<>(standard) {
      @Override
      public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
          FileObject sibling) {
        return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
          @Override
          public OutputStream openOutputStream() {
            return outputs.computeIfAbsent(className, k -> new ByteArrayOutputStream());
          }
        };
      }
    };
    JavaFileObject source = file.toJavaFileObject();
    StringWriter log = new StringWriter();
    boolean ok = javac.getTask(log, manager, diagnostics,
        List.of("--release", "17", "-classpath", System.getProperty("java.class.path")), null, List.of(source)).call();
    if (!ok) {
      throw new AssertionError("generated source does not compile:\n" + diagnostics.getDiagnostics() + "\n" + log
          + "\n" + file);
    }
    Map<String, byte[]> classes = new HashMap<>();
    outputs.forEach((name, bytes) -> classes.put(name, bytes.toByteArray()));
    return classes;
  }

  /** Loads compiled classes in a throwaway loader that sees the test class path. */
  static Class<?> load(Map<String, byte[]> classes, String name) throws ClassNotFoundException {
    ClassLoader loader = new ClassLoader(InMemoryJavac.class.getClassLoader()) {
      @Override
      protected Class<?> findClass(String n) throws ClassNotFoundException {
        byte[] bytes = classes.get(n);
        if (bytes == null) {
          throw new ClassNotFoundException(n);
        }
        return defineClass(n, bytes, 0, bytes.length);
      }
    };
    return loader.loadClass(name);
  }
}
