package io.flowc.compiler.driver;

import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.TypeSpec;
import io.flowc.compiler.backend.BytecodeBackend;
import io.flowc.compiler.backend.FlowKernels;
import io.flowc.compiler.backend.JavaSourceBackend;
import io.flowc.compiler.backend.ModelKernels;
import io.flowc.compiler.frontend.Ast;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.runtime.Artifact;
import io.flowc.runtime.FlowcVersion;
import io.flowc.runtime.flow.FlowLayout;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Writes a compiled model artifact ({@link Artifact} reads it): the generated class, the model's
 * source, its metadata and the digest of each entry. The jar is the same bytes for the same model
 * and flowc version (fixed entry times, sorted entries), and it is written to a temporary file in
 * the target's directory (which must exist) that replaces the target only once complete.
 */
public final class ArtifactWriter {
  /** Package of the classes in artifacts. */
  public static final String PACKAGE = Artifact.PACKAGE;

  /** The suffix of the class of a formula's kernel for calls that run draw by draw. */
  private static final String DRAW_BY_DRAW = "_DrawByDraw";

  /** 1980-02-01, the earliest time a zip entry can hold portably: entry times carry no information. */
  private static final long FIXED_TIME = 315_532_800_000L + 31L * 24 * 3600 * 1000;

  private ArtifactWriter() {}

  public static void write(CheckedModel model, Path jar) throws IOException {
    write(model, List.of(), jar);
  }

  /**
   * The model's artifact with these formulas, opened without leaving a file behind: written to a
   * temporary jar, opened (its classes checked and loaded) and deleted. For commands that compile
   * a model once and fit it many times, as a user's own artifact would be.
   */
  public static Artifact open(CheckedModel model, List<FlowFormula> formulas) throws IOException {
    Path jar = Files.createTempFile("flowc-", ".jar");
    try {
      write(model, formulas, jar);
      return Artifact.open(jar);
    } finally {
      Files.deleteIfExists(jar);
    }
  }

  /**
   * Writes the model's log density and, for each formula, its compiled flow kernel (class
   * {@code Model_NAME_FlowK}, recorded as {@code formula.K} and {@code formula.K.class}).
   */
  public static void write(CheckedModel model, List<FlowFormula> formulas, Path jar) throws IOException {
    ModelKernels kernels = Compilation.kernels(model);
    String simpleName = Compilation.className(model);
    String className = PACKAGE + "." + simpleName;
    byte[] classFile = BytecodeBackend.emit(kernels, className.replace('.', '/'));

    Map<String, String> metadata = new TreeMap<>();
    metadata.put(Artifact.KEY_FORMAT, Artifact.FORMAT);
    metadata.put(Artifact.KEY_VERSION, FlowcVersion.get());
    metadata.put(Artifact.KEY_MODEL, model.name());
    metadata.put(Artifact.KEY_CLASS, className);
    metadata.put(Artifact.KEY_SHA256, kernels.sourceSha256());
    metadata.put(Artifact.KEY_DIMENSION, Integer.toString(model.dimension()));
    metadata.put(Artifact.KEY_ELEMENTS, String.join(",", model.elementNames()));
    metadata.put(Artifact.KEY_PARAMS, model.layout().encode());
    Map<String, byte[]> entries = new TreeMap<>();
    if (!model.dataLayout().isEmpty()) {
      metadata.put(Artifact.KEY_DATA, model.dataLayout().encode());
      metadata.put(Artifact.KEY_DATA_RESERVED, Compilation.dataPlan(model).region().encode());
      ModelKernels prologue = Compilation.dataPrologue(model);
      if (prologue != null) {
        String prologueClass = className + "_Data";
        entries.put(prologueClass.replace('.', '/') + ".class", BytecodeBackend.emit(prologue, prologueClass.replace('.', '/')));
        metadata.put(Artifact.KEY_DATA_PROLOGUE, prologueClass);
      }
    }
    ModelKernels reported = Compilation.reportedKernels(model);
    if (reported != null) {
      String reportedClass = className + "_Reported";
      entries.put(reportedClass.replace('.', '/') + ".class", BytecodeBackend.emit(reported, reportedClass.replace('.', '/')));
      metadata.put(Artifact.KEY_REPORTED, reportedClass);
      metadata.put(Artifact.KEY_DERIVED, String.join(",", DerivedQuantities.names(model)));
    }
    metadata.put(Artifact.KEY_POTENTIAL_TERMS, Long.toString(model.count(Ast.ContributionKind.POTENTIAL)));
    metadata.put(Artifact.KEY_LOGP_TERMS, Long.toString(model.count(Ast.ContributionKind.LOGP)));
    List<String> normalized = new ArrayList<>();
    for (int k = 0; k < formulas.size(); k++) {
      FlowFormula formula = formulas.get(k);
      FlowLayout layout = FlowLayout.ofFlows(formula.flows(), model.dimension());
      String flowClass = className + "_Flow" + k;
      FlowKernels flowKernels = Compilation.flowKernels(model, layout, formula.normalized());
      entries.put(flowClass.replace('.', '/') + ".class", BytecodeBackend.emit(flowKernels, flowClass.replace('.', '/')));
      metadata.put(Artifact.formulaKey(k) + ".cost", Compilation.stepCost(flowKernels).encode());
      metadata.put(Artifact.formulaKey(k), formula.normalized());
      metadata.put(Artifact.formulaKey(k) + ".class", flowClass);
      // the kernel a fit with few draws a step loads (runs of flows as loops; docs/internals.md, "Repeated flows")
      FlowKernels drawByDraw = Compilation.drawByDrawFlowKernels(model, formula);
      if (drawByDraw != null) {
        String drawByDrawClass = flowClass + DRAW_BY_DRAW;
        entries.put(drawByDrawClass.replace('.', '/') + ".class", BytecodeBackend.emit(drawByDraw, drawByDrawClass.replace('.', '/')));
        metadata.put(Artifact.formulaKey(k) + Artifact.DRAW_BY_DRAW + ".class", drawByDrawClass);
        metadata.put(Artifact.formulaKey(k) + Artifact.DRAW_BY_DRAW + ".cost", Compilation.stepCost(drawByDraw).encode());
        metadata.put(Artifact.formulaKey(k) + Artifact.DRAW_BY_DRAW + ".below",
            Integer.toString(Compilation.drawByDrawBelow()));
      }
      normalized.add(formula.normalized());
    }
    metadata.put(Artifact.KEY_FORMULAS, String.join(";", normalized));
    entries.put(Artifact.METADATA, properties(metadata));
    entries.put(Artifact.SOURCE, model.ast().source().text().getBytes(StandardCharsets.UTF_8));
    entries.put(className.replace('.', '/') + ".class", classFile);
    entries.put(JarFile.MANIFEST_NAME, manifest(model));
    entries.put(Artifact.DIGESTS, Artifact.digests(entries));

    Path parent = jar.toAbsolutePath().getParent();
    Temporary temporary = Temporary.create(parent);
    try {
      try (JarOutputStream zip = new JarOutputStream(temporary.out())) {
        // the manifest first, as jar readers expect
        put(zip, JarFile.MANIFEST_NAME, entries.remove(JarFile.MANIFEST_NAME));
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
          put(zip, e.getKey(), e.getValue());
        }
      }
      Files.move(temporary.path(), jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temporary.path());
    }
  }

  /** One entry, with a fixed time: entry times carry no information and would make equal jars differ. */
  private static void put(JarOutputStream zip, String name, byte[] bytes) throws IOException {
    JarEntry entry = new JarEntry(name);
    entry.setTime(FIXED_TIME);
    zip.putNextEntry(entry);
    zip.write(bytes);
    zip.closeEntry();
  }

  /**
   * A new file beside the target, created as any program creates a file, so that its permissions
   * follow the user's umask ({@link Files#createTempFile} would make it readable by its owner only).
   * Its name is random and it is created exclusively, so it never reuses another file.
   */
  private record Temporary(Path path, OutputStream out) {
    static Temporary create(Path dir) throws IOException {
      while (true) {
        Path path = dir.resolve(".flowc-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".jar.tmp");
        try {
          return new Temporary(path, Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
        } catch (FileAlreadyExistsException e) {
          // another writer's name: draw again
        }
      }
    }
  }

  /** The readable Java source of the classes an artifact holds, for {@code --emit-java}. */
  public static List<JavaFile> javaSources(CheckedModel model, List<FlowFormula> formulas) {
    List<JavaFile> files = new ArrayList<>();
    String simpleName = Compilation.className(model);
    files.add(JavaSourceBackend.file(PACKAGE, Compilation.javaLogDensity(model, simpleName)));
    for (int k = 0; k < formulas.size(); k++) {
      FlowFormula formula = formulas.get(k);
      String flowName = simpleName + "_Flow" + k;
      files.add(JavaSourceBackend.file(PACKAGE, Compilation.javaFlowKernel(model, formula, flowName)));
      TypeSpec drawByDraw = Compilation.javaDrawByDrawFlowKernel(model, formula, flowName + DRAW_BY_DRAW);
      if (drawByDraw != null) {
        files.add(JavaSourceBackend.file(PACKAGE, drawByDraw));
      }
    }
    TypeSpec reported = Compilation.javaReported(model, simpleName + "_Reported");
    if (reported != null) {
      files.add(JavaSourceBackend.file(PACKAGE, reported));
    }
    TypeSpec dataPrologue = Compilation.javaDataPrologue(model, simpleName + "_Data");
    if (dataPrologue != null) {
      files.add(JavaSourceBackend.file(PACKAGE, dataPrologue));
    }
    return files;
  }

  /** Properties text without the date comment {@link java.util.Properties#store} adds. */
  private static byte[] properties(Map<String, String> values) {
    StringBuilder out = new StringBuilder("# flowc compiled model\n");
    values.forEach((k, v) -> out.append(k).append('=').append(escape(v)).append('\n'));
    return out.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String escape(String v) {
    StringBuilder out = new StringBuilder();
    for (char c : v.toCharArray()) {
      if (c == '\\' || c == ':' || c == '=' || c == '#' || c == '!') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static byte[] manifest(CheckedModel model) throws IOException {
    Manifest manifest = new Manifest();
    Attributes main = manifest.getMainAttributes();
    main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    main.putValue("Created-By", "flowc " + FlowcVersion.get());
    main.putValue("Flowc-Model", model.name());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    manifest.write(out);
    return out.toByteArray();
  }
}
