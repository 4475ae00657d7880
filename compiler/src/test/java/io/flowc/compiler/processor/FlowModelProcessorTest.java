package io.flowc.compiler.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import javax.tools.StandardLocation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor under javac: what it generates, and the errors a user sees for bad models, bad
 * formulas and bad annotations, with their text and the line javac reports them on.
 */
class FlowModelProcessorTest {
  static final String POT1 = """
      model pot1 {
        param z[2];
        let r = norm(z);
        potential 0.5 * ((r - 2) / 0.4)^2
                  - log(exp(-0.5 * ((z[0] - 2) / 0.6)^2) + exp(-0.5 * ((z[0] + 2) / 0.6)^2));
      }
      """;

  @TempDir
  Path resources;

  static JavaFileObject source(String qualifiedName, String... lines) {
    return JavaFileObjects.forSourceLines(qualifiedName, lines);
  }

  static Compilation compile(JavaFileObject... sources) {
    return javac().withProcessors(new FlowModelProcessor()).compile(sources);
  }

  /** Compiles with a class path of the test's own plus a directory of model resources. */
  Compilation compileWithResources(Map<String, byte[]> files, JavaFileObject... sources) throws IOException {
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Path file = resources.resolve(f.getKey());
      Files.createDirectories(file.getParent());
      Files.write(file, f.getValue());
    }
    List<File> classPath = new ArrayList<>();
    classPath.add(resources.toFile());
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      classPath.add(new File(entry));
    }
    return javac().withProcessors(new FlowModelProcessor()).withClasspath(classPath).compile(sources);
  }

  static String generated(Compilation c, String qualifiedName) throws IOException {
    JavaFileObject file = c.generatedFile(StandardLocation.SOURCE_OUTPUT, qualifiedName.replace('.', '/') + ".java")
        .orElseThrow(() -> new AssertionError(qualifiedName + " was not generated; generated: " + c.generatedSourceFiles()));
    return file.getCharContent(true).toString();
  }

  static JavaFileObject inline(String qualifiedName, String model, String flows) {
    String simple = qualifiedName.substring(qualifiedName.lastIndexOf('.') + 1);
    String pkg = qualifiedName.substring(0, qualifiedName.lastIndexOf('.'));
    List<String> lines = new ArrayList<>(List.of("package " + pkg + ";", "", "import io.flowc.annotations.FlowModel;", "",
        "@FlowModel(", "    flows = {" + flows + "},", "    code = \"\"\""));
    model.lines().forEach(l -> lines.add("        " + l));
    lines.add("        \"\"\")");
    lines.add("interface " + simple + " {}");
    return source(qualifiedName, lines.toArray(String[]::new));
  }

  @Test
  void generatesTheEntryTheLogDensityAndOneKernelPerFormula() throws IOException {
    Compilation c = compile(inline("test.Pot1", POT1, "\"planar*8\", \"Scale-HH*2-loc\""));
    assertThat(c).succeededWithoutWarnings();
    assertTrue(generated(c, "test.Flowc_Pot1_Model").contains("public final class Flowc_Pot1_Model implements LogDensity"));
    assertTrue(generated(c, "test.Flowc_Pot1_Flow0").contains("with flows {@code planar*8}"));
    assertTrue(generated(c, "test.Flowc_Pot1_Flow1").contains("with flows {@code scale-hh*2-loc}"));
    String entry = generated(c, "test.Flowc_Pot1");
    assertTrue(entry.contains("@Generated(\"io.flowc.compiler.processor.FlowModelProcessor\")"), entry);
    assertTrue(entry.contains("case \"scale-hh*2-loc\", \"Scale-HH*2-loc\" -> new Flowc_Pot1_Flow1();"), entry);
    assertTrue(entry.contains("layout(new FlowKind[] {FlowKind.SCALE, FlowKind.HH, FlowKind.LOC}, new int[] {1, 2, 1})"),
        entry);
    assertEquals(4, c.generatedSourceFiles().size(), c.generatedSourceFiles().toString());
  }

  @Test
  void aModelWithoutFlowsStillHasAnEntry() throws IOException {
    Compilation c = compile(inline("test.Pot1", POT1, ""));
    assertThat(c).succeededWithoutWarnings();
    assertTrue(generated(c, "test.Flowc_Pot1").contains("throw unknownFlow(formula);"));
    assertEquals(2, c.generatedSourceFiles().size());
  }

  @Test
  void modelErrorsQuoteTheModelsOwnLineAndColumnAndSourceLine() {
    JavaFileObject bad = inline("test.Bad", "model bad {\n  param z[2];\n  potential y + 1;\n  potential sqr(z[0]);\n}\n",
        "\"planar*2\"");
    Compilation c = compile(bad);
    assertThat(c).failed();
    assertThat(c).hadErrorCount(2);
    assertThat(c).hadErrorContaining("<code of test.Bad>:3:13: 'y' is not declared\n")
        .inFile(bad).onLineContaining("code = \"\"\"");
    assertCaretUnder(c, "potential y + 1;", "y");
    assertThat(c).hadErrorContaining("<code of test.Bad>:4:13: unknown function 'sqr' (did you mean 'sqrt'?)")
        .inFile(bad).onLineContaining("code = \"\"\"");
  }

  @Test
  void resourceModelsAreReadFromTheClassPath() throws IOException {
    JavaFileObject good = source("test.Pot1", "package test;", "", "import io.flowc.annotations.FlowModel;", "",
        "@FlowModel(source = \"/models/pot1.flow\", flows = \"planar*2\")", "interface Pot1 {}");
    Compilation c = compileWithResources(Map.of("models/pot1.flow", POT1.getBytes(StandardCharsets.UTF_8)), good);
    assertThat(c).succeededWithoutWarnings();
    assertTrue(generated(c, "test.Flowc_Pot1").contains("Model {@code pot1} ({@code models/pot1.flow})"));
  }

  @Test
  void aModelNoClassFileCanHoldIsRefusedWithTheReasonNotJavacsCodeTooLarge() throws IOException {
    // 36,000 elements, each its own workspace slot at an index javac and ASM load from the
    // constant pool: more entries than a class holds (a resource, since an annotation string cannot be this long)
    StringJoiner elements = new StringJoiner(", ", "[", "]");
    for (int i = 0; i < 36_000; i++) {
      elements.add("z[" + i + "]");
    }
    String model = "model big {\n  param z[36000];\n  let v = " + elements + ";\n  potential sum(square(v));\n}\n";
    JavaFileObject big = source("test.Big", "package test;", "", "import io.flowc.annotations.FlowModel;", "",
        "@FlowModel(", "    flows = \"planar*2\",", "    source = \"models/big.flow\")", "interface Big {}");
    Compilation c = compileWithResources(Map.of("models/big.flow", model.getBytes(StandardCharsets.UTF_8)), big);
    assertThat(c).failed();
    assertThat(c).hadErrorCount(1);
    assertThat(c).hadErrorContaining("model big is too large to compile (its class needs ")
        .inFile(big).onLineContaining("source = \"models/big.flow\"");
    // the one error: no class was written for javac to fail on with "too many constants"
    assertThat(c).hadErrorContaining("constant pool entries, a class file holds 65535); make the model smaller");
  }

  @Test
  void errorsInAResourceModelCiteTheResource() throws IOException {
    JavaFileObject bad = source("test.Bad", "package test;", "", "import io.flowc.annotations.FlowModel;", "",
        "@FlowModel(", "    flows = \"planar*2\",", "    source = \"models/bad.flow\")", "interface Bad {}");
    Compilation c = compileWithResources(Map.of("models/bad.flow",
        "model bad {\n  param z[2];\n  potential z[0] +* 1;\n}\n".getBytes(StandardCharsets.UTF_8)), bad);
    assertThat(c).hadErrorCount(1);
    assertThat(c).hadErrorContaining("models/bad.flow:3:19: unexpected '*', expected an expression\n")
        .inFile(bad).onLineContaining("source = \"models/bad.flow\"");
    assertCaretUnder(c, "potential z[0] +* 1;", "*");
  }

  @Test
  void aModelWithDataTakesItsSizesFromTheDataResourceAndIsBoundAtRunTime() throws IOException {
    String model = "model reg {\n  data int N;\n  data real y[N];\n  data real x[N];\n  param b[2];\n"
        + "  param s > 0;\n  let xx = x * x;\n  y ~ normal(b[0] + b[1] * xx, s);\n}\n";
    JavaFileObject good = source("test.Reg", "package test;", "", "import io.flowc.annotations.FlowModel;", "",
        "@FlowModel(source = \"models/reg.flow\", data = \"models/reg.json\", flows = \"scale-loc\")", "interface Reg {}");
    Compilation c = compileWithResources(Map.of("models/reg.flow", model.getBytes(StandardCharsets.UTF_8),
        "models/reg.json", "{\"N\": 3, \"y\": [1, 2, 3], \"x\": [0, 1, 2]}".getBytes(StandardCharsets.UTF_8)), good);
    assertThat(c).succeededWithoutWarnings();
    String entry = generated(c, "test.Flowc_Reg");
    assertTrue(entry.contains("public static LogDensity model(DataSet data)"), entry);
    assertTrue(entry.contains("DATA_LAYOUT = \"N:int:,y:real:N,x:real:N\""), entry);
    // x * x depends on data alone: a prologue class computes it once per binding
    assertTrue(generated(c, "test.Flowc_Reg_Data").contains("implements LogDensity"));
    assertTrue(entry.contains("new Flowc_Reg_Data()"), entry);
  }

  @Test
  void dataThatIsMissingOrDoesNotFitIsAnError() throws IOException {
    String model = "model reg {\n  data int N;\n  data real y[N];\n  param b;\n  y ~ normal(b, 1);\n}\n";
    JavaFileObject noData = source("test.NoData", "package test;", "", "import io.flowc.annotations.FlowModel;", "",
        "@FlowModel(source = \"models/reg.flow\")", "interface NoData {}");
    JavaFileObject missing = source("test.Missing", "package test;", "", "import io.flowc.annotations.FlowModel;", "",
        "@FlowModel(source = \"models/reg.flow\", data = \"models/none.json\")", "interface Missing {}");
    JavaFileObject misfit = source("test.Misfit", "package test;", "", "import io.flowc.annotations.FlowModel;", "",
        "@FlowModel(source = \"models/reg.flow\", data = \"models/short.json\")", "interface Misfit {}");
    Compilation c = compileWithResources(Map.of("models/reg.flow", model.getBytes(StandardCharsets.UTF_8),
        "models/short.json", "{\"N\": 3, \"y\": [1, 2]}".getBytes(StandardCharsets.UTF_8)), noData, missing, misfit);
    assertThat(c).hadErrorCount(3);
    assertThat(c).hadErrorContaining("models/reg.flow:2:3: model 'reg' declares data ('N')").inFile(noData);
    assertThat(c).hadErrorContaining("data 'models/none.json' not found").inFile(missing).onLineContaining("data =");
    assertThat(c).hadErrorContaining("'y' is an array of 2 in models/short.json; the model declares real y[3]")
        .inFile(misfit);
  }

  @Test
  void aMissingOrUndecodableSourceIsAnErrorOnTheSourceValue() throws IOException {
    JavaFileObject missing = source("test.Missing", "package test;", "", "import io.flowc.annotations.FlowModel;", "",
        "@FlowModel(source = \"models/none.flow\")", "interface Missing {}");
    JavaFileObject latin1 = source("test.Latin1", "package test;", "", "import io.flowc.annotations.FlowModel;", "",
        "@FlowModel(source = \"models/latin1.flow\")", "interface Latin1 {}");
    Compilation c = compileWithResources(Map.of("models/latin1.flow",
        "// caf\u00e9\nmodel m { param z; potential z^2; }\n".getBytes(StandardCharsets.ISO_8859_1)), missing, latin1);
    assertThat(c).hadErrorCount(2);
    assertThat(c).hadErrorContaining("model source 'models/none.flow' not found on the source path, the class path or "
        + "the class output directory (in a Maven build, put it at src/main/resources/models/none.flow")
        .inFile(missing).onLineContaining("source =");
    assertThat(c).hadErrorContaining("models/latin1.flow: not a UTF-8 text file: invalid byte 0xE9 at byte offset 6 (line 1)")
        .inFile(latin1).onLineContaining("source =");
  }

  @Test
  void formulaErrorsAreReportedOnTheirOwnArrayElement() {
    JavaFileObject flows = source("test.Flows", "package test;", "", "import io.flowc.annotations.FlowModel;", "",
        "@FlowModel(code = \"model m { param z[2]; potential sum(square(z)); }\", flows = {",
        "    \"planar*8\",",
        "    \"planr*2\",",
        "    \"planar*0-loc\",",
        "    \"PLANAR * 8\"})",
        "interface Flows {}");
    Compilation c = compile(flows);
    assertThat(c).hadErrorCount(3);
    assertThat(c).hadErrorContaining("flows[1]:1:1: unknown flow 'planr' (known: loc, scale, planar, radial, hh, reverse, realnvp, iaf, nsf, nsf_ar, sylvester)\n")
        .inFile(flows).onLineContaining("\"planr*2\"");
    assertCaretUnder(c, "planr*2", "planr");
    assertThat(c).hadErrorContaining("flows[2]:1:8: repeat count must be a positive integer in 'planar*0'")
        .inFile(flows).onLineContaining("\"planar*0-loc\"");
    assertThat(c).hadErrorContaining("flows[3] \"PLANAR * 8\" is the same formula as flows[0] \"planar*8\" (planar*8)")
        .inFile(flows).onLineContaining("\"PLANAR * 8\"");
  }

  /** Options reach the generated layout (through the runtime's formula reader); the dimension's checks reach the element. */
  @Test
  void neuralFormulasWithOptionsAreLaidOutAndChecked() throws IOException {
    JavaFileObject flows = source("test.Neural", "package test;", "", "import io.flowc.annotations.FlowModel;", "",
        "@FlowModel(code = \"model m { param z[2]; potential sum(square(z)); }\", flows = {",
        "    \"nsf(hidden=4,bins=3)*2-loc\",",
        "    \"iaf(hidden=2, layers=1)\"})",
        "interface Neural {}");
    Compilation c = compile(flows);
    assertThat(c).succeededWithoutWarnings();
    String entry = generated(c, "test.Flowc_Neural");
    assertTrue(entry.contains("case \"nsf(bins=3,hidden=4)*2-loc\", \"nsf(hidden=4,bins=3)*2-loc\" -> "
        + "FlowFormulas.layout(\"nsf(bins=3,hidden=4)*2-loc\", DIMENSION);"), entry);
    assertTrue(entry.contains("case \"iaf(hidden=2,layers=1)\", \"iaf(hidden=2, layers=1)\" -> "
        + "FlowFormulas.layout(\"iaf(hidden=2,layers=1)\", DIMENSION);"), entry);

    JavaFileObject coupling = source("test.Coupling", "package test;", "", "import io.flowc.annotations.FlowModel;", "",
        "@FlowModel(code = \"model one { param z; potential square(z); }\", flows = {",
        "    \"loc-realnvp\"})",
        "interface Coupling {}");
    Compilation bad = compile(coupling);
    assertThat(bad).hadErrorCount(1);
    assertThat(bad).hadErrorContaining(
        "flows[0]:1:5: realnvp is a coupling flow and needs at least 2 dimensions; the model has 1 (use iaf)")
        .inFile(coupling).onLineContaining("\"loc-realnvp\"");
  }

  @Test
  void theAnnotationNeedsExactlyOneOfSourceAndCodeAndAClassName() {
    JavaFileObject neither = source("test.Neither", "package test;", "", "import io.flowc.annotations.FlowModel;", "",
        "@FlowModel(flows = \"planar\")", "interface Neither {}");
    JavaFileObject both = source("test.Both", "package test;", "", "import io.flowc.annotations.FlowModel;", "",
        "@FlowModel(source = \"m.flow\", code = \"model m { param z; potential z^2; }\")", "interface Both {}");
    JavaFileObject badName = source("test.BadName", "package test;", "", "import io.flowc.annotations.FlowModel;", "",
        "@FlowModel(code = \"model m { param z; potential z^2; }\",", "    name = \"my.Model\")", "interface BadName {}");
    Compilation c = compile(neither, both, badName);
    assertThat(c).hadErrorCount(3);
    assertThat(c).hadErrorContaining("@FlowModel needs the model: 'source' (a resource such as \"models/pot1.flow\") "
        + "or 'code' (its text)").inFile(neither).onLineContaining("@FlowModel");
    assertThat(c).hadErrorContaining("@FlowModel takes the model from 'source' or from 'code', not both")
        .inFile(both).onLineContaining("@FlowModel");
    assertThat(c).hadErrorContaining("@FlowModel name 'my.Model' is not a Java class name")
        .inFile(badName).onLineContaining("name = ");
  }

  /**
   * compile-testing withholds generated files from a failed compilation, so this one runs javac
   * itself, generating only, and looks at what the processor wrote to disk.
   */
  @Test
  void oneBadModelDoesNotStopTheOthersInTheSameRound(@TempDir Path out) throws IOException {
    JavaFileObject bad = inline("test.Bad", "model bad { param z; potential q; }", "\"planar\"");
    JavaFileObject good = inline("test.Good", POT1, "\"planar*2\"");
    JavaFileObject alsoBad = inline("test.AlsoBad", POT1, "\"planar*\"");
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    List<String> errors = new ArrayList<>();
    try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
      files.setLocationFromPaths(StandardLocation.SOURCE_OUTPUT, List.of(out));
      files.setLocationFromPaths(StandardLocation.CLASS_OUTPUT, List.of(out));
      JavaCompiler.CompilationTask task = compiler.getTask(null, files, diagnostics, List.of("-proc:only"), null,
          List.of(bad, good, alsoBad));
      task.setProcessors(List.of(new FlowModelProcessor()));
      assertFalse(task.call(), "the compilation fails");
    }
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      if (d.getKind() == Diagnostic.Kind.ERROR) {
        errors.add(d.getSource().getName() + ":" + d.getLineNumber() + ": " + d.getMessage(null));
      }
    }
    assertEquals(2, errors.size(), errors.toString());
    assertTrue(errors.get(0).startsWith("test/Bad.java:7: <code of test.Bad>:1:32: 'q' is not declared"), errors.toString());
    assertTrue(errors.get(1).startsWith("test/AlsoBad.java:6: flows[0]:1:7: repeat count must be a positive integer"),
        errors.toString());
    try (Stream<Path> written = Files.walk(out)) {
      assertEquals(List.of("test/Flowc_Good.java", "test/Flowc_Good_Flow0.java", "test/Flowc_Good_Model.java"),
          written.filter(Files::isRegularFile).map(p -> out.relativize(p).toString().replace(File.separatorChar, '/'))
              .sorted().toList());
    }
  }

  @Test
  void nestedTypesAndNamedEntriesAndTheUnnamedPackage() throws IOException {
    JavaFileObject nested = source("test.Outer", "package test;", "", "import io.flowc.annotations.FlowModel;", "",
        "class Outer {",
        "  @FlowModel(code = \"model inner { param s; potential s^2; }\")",
        "  interface Inner {}",
        "  @FlowModel(code = \"model named { param s; potential s^2; }\", name = \"NamedModel\", flows = \"loc\")",
        "  static final class Named {}",
        "}");
    JavaFileObject unnamed = source("Top", "import io.flowc.annotations.FlowModel;", "",
        "@FlowModel(code = \"model top { param s; potential s^2; }\")", "interface Top {}");
    Compilation c = compile(nested, unnamed);
    assertThat(c).succeededWithoutWarnings();
    assertTrue(generated(c, "test.Flowc_Outer_Inner").contains("for {@code test.Outer.Inner}"));
    assertTrue(generated(c, "test.NamedModel").contains("case \"loc\" -> new NamedModel_Flow0();"));
    generated(c, "test.NamedModel_Model");
    assertTrue(generated(c, "Flowc_Top").startsWith("// Generated by flowc. Do not edit.\nimport "));
  }

  @Test
  void twoModelsClaimingOneNameGiveAnErrorNotACrash() {
    JavaFileObject a = source("test.A", "package test;", "", "import io.flowc.annotations.FlowModel;", "",
        "@FlowModel(code = \"model a { param s; potential s^2; }\", name = \"Shared\")", "interface A {}");
    JavaFileObject b = source("test.B", "package test;", "", "import io.flowc.annotations.FlowModel;", "",
        "@FlowModel(code = \"model b { param s; potential s^2; }\", name = \"Shared\")", "interface B {}");
    Compilation c = compile(a, b);
    assertThat(c).failed();
    assertThat(c).hadErrorContaining("cannot write the generated class test.Shared_Model");
    for (Diagnostic<? extends JavaFileObject> d : c.errors()) {
      assertFalse(d.getMessage(null).contains("\tat "), "no stack trace: " + d.getMessage(null));
    }
  }

  @Test
  void outputIsTheSameForTheSameInput() throws IOException {
    Map<String, String> first = sources(compile(inline("test.Pot1", POT1, "\"planar*8\", \"radial*2-loc\"")));
    Map<String, String> second = sources(compile(inline("test.Pot1", POT1, "\"planar*8\", \"radial*2-loc\"")));
    assertEquals(4, first.size());
    assertEquals(first, second);
  }

  @Test
  void verboseNotesEachModelCompiled() {
    Compilation c = javac().withProcessors(new FlowModelProcessor()).withOptions("-Aflowc.verbose=true")
        .compile(inline("test.Pot1", POT1, "\"planar*2\""));
    assertThat(c).succeeded();
    assertThat(c).hadNoteContaining("flowc: <code of test.Pot1> compiled into 3 classes in ");
  }

  /** The caret line under a quoted model line points at {@code token}, whatever javac's indentation. */
  static void assertCaretUnder(Compilation c, String modelLine, String token) {
    for (Diagnostic<? extends JavaFileObject> d : c.errors()) {
      List<String> lines = d.getMessage(null).lines().toList();
      for (int i = 0; i + 1 < lines.size(); i++) {
        if (lines.get(i).endsWith(modelLine)) {
          String caret = lines.get(i + 1);
          assertEquals(lines.get(i).indexOf(modelLine) + modelLine.indexOf(token), caret.indexOf('^'),
              "caret under '" + token + "' in:\n" + d.getMessage(null));
          assertEquals("^" + "~".repeat(token.length() - 1), caret.strip(), d.getMessage(null));
          return;
        }
      }
    }
    throw new AssertionError("no error quotes '" + modelLine + "': " + c.errors());
  }

  private static Map<String, String> sources(Compilation c) throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (JavaFileObject f : c.generatedSourceFiles()) {
      out.put(f.getName(), f.getCharContent(true).toString());
    }
    return out;
  }
}
