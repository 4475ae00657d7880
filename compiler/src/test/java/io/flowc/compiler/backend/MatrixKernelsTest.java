package io.flowc.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.JavaFile;
import io.flowc.compiler.ir.Differentiator;
import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.Graphs;
import io.flowc.compiler.ir.IrEvaluator;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.IrVerifier;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.ir.Op;
import io.flowc.compiler.ir.Shape;
import io.flowc.compiler.kernel.Kernel;
import io.flowc.compiler.kernel.KernelInterpreter;
import io.flowc.compiler.kernel.LoopFusion;
import io.flowc.compiler.kernel.Scheduler;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.jit.HiddenClasses;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Matrices and the ops of neural flows through the scheduler, loop fusion, the splitter and both
 * backends: random functions of layers (matvec, matvecT, outer, place, take, cumsum, search,
 * pick, elementwise ops on matrices) with their gradients agree bit for bit between the bytecode
 * and Java source backends, the kernel interpreter (fused and not) and the IR evaluator, with
 * vectors scalarized (up to 16 elements) and not; large layers stay loops, in methods under 8000
 * bytes.
 */
class MatrixKernelsTest {
  private static int classes;

  /** logp and its gradient with respect to each input, simplified as the compiler does. */
  static IrFunction withGradient(Graph g, List<Node> inputs, Node logp) {
    List<Node> gradient = Differentiator.gradient(g, logp, inputs);
    List<IrFunction.Output> outputs = new ArrayList<>();
    outputs.add(new IrFunction.Output("logp", logp));
    for (int k = 0; k < inputs.size(); k++) {
      outputs.add(new IrFunction.Output("grad." + inputs.get(k).name(), gradient.get(k)));
    }
    IrFunction f = IrVerifier.verify(new IrFunction(g, inputs, outputs));
    return IrVerifier.verify(Graphs.rebuild(f, new Graph(true)));
  }

  private static List<String> gradientNames(IrFunction f) {
    return f.inputs().stream().map(in -> "grad." + in.name()).toList();
  }

  /**
   * Every evaluator of f agrees bit for bit at random points: the classes of both backends, the
   * kernel interpreter on the fused and on the unfused kernel, and the IR evaluator.
   */
  static void assertAllAgree(String what, IrFunction f, int scalarizeLimit, long seed, boolean javaSource)
      throws Exception {
    assertAllAgree(what, f, scalarizeLimit, seed, javaSource, 3);
  }

  static void assertAllAgree(String what, IrFunction f, int scalarizeLimit, long seed, boolean javaSource, int points)
      throws Exception {
    List<String> gradients = gradientNames(f);
    Kernel unfused = Scheduler.schedule(f, "logp", gradients, scalarizeLimit);
    Kernel gradient = LoopFusion.fuse(unfused);
    Kernel value = LoopFusion.fuse(Scheduler.schedule(f, "logp", List.of(), scalarizeLimit));
    ModelKernels kernels = new ModelKernels("matrices", "0", value, gradient);
    String name = "Matrices" + classes++;
    byte[] bytecode = BytecodeBackend.emit(kernels, BytecodeBackend.JIT_PACKAGE + name);
    BackendAgreementTest.verify(bytecode);
    BackendAgreementTest.assertMethodsBelowHugeLimit(what + " (bytecode)", bytecode);
    LogDensity asm = HiddenClasses.defineLogDensity(bytecode);
    LogDensity java = null;
    if (javaSource) {
      JavaFile source = JavaSourceBackend.emit(kernels, "io.flowc.generated", name);
      Map<String, byte[]> compiled = InMemoryJavac.compile(source);
      BackendAgreementTest.assertMethodsBelowHugeLimit(what + " (Java source)", compiled.get("io.flowc.generated." + name));
      java = (LogDensity) InMemoryJavac.load(compiled, "io.flowc.generated." + name).getDeclaredConstructor().newInstance();
    }
    int n = f.dimension();
    SplittableRandom r = new SplittableRandom(seed);
    for (int point = 0; point < points; point++) {
      double[] z = new double[n];
      for (int i = 0; i < n; i++) {
        z[i] = 1.4 * r.nextDouble() - 0.7;
      }
      String where = what + " (scalarize limit " + scalarizeLimit + ") at point " + point;
      Map<String, double[]> ir = IrEvaluator.evaluate(f, z);
      double[] expected = new double[n];
      for (Node in : f.inputs()) {
        double[] g = ir.get("grad." + in.name());
        System.arraycopy(g, 0, expected, f.offsetOf(in), g.length);
      }
      double logp = ir.get("logp")[0];
      assertTrue(Double.isFinite(logp), where + ": logp " + logp);
      assertSameBits(where + ", bytecode", logp, expected, run(asm, z), asm.logDensity(z, new double[asm.workspaceSize()]));
      if (java != null) {
        assertSameBits(where + ", Java source", logp, expected, run(java, z), java.logDensity(z, new double[java.workspaceSize()]));
      }
      for (Kernel k : List.of(gradient, unfused)) {
        double[] g = new double[n];
        double v = new KernelInterpreter(k).run(z, g, new double[k.workspaceSize() + 4096], null, 0);
        double[] withValue = Arrays.copyOf(g, n + 1);
        withValue[n] = v;
        assertSameBits(where + ", kernel interpreter" + (k == unfused ? " (unfused)" : ""), logp, expected, withValue, v);
      }
    }
  }

  /** The gradient then the value, from one call. */
  private static double[] run(LogDensity d, double[] z) {
    double[] g = new double[z.length + 1];
    g[z.length] = d.logDensityGradient(z, g, new double[d.workspaceSize()]);
    return g;
  }

  private static void assertSameBits(String where, double logp, double[] gradient, double[] actual, double valueOnly) {
    int n = gradient.length;
    assertEquals(Double.doubleToRawLongBits(logp), Double.doubleToRawLongBits(actual[n]), where + ": value");
    assertEquals(Double.doubleToRawLongBits(logp), Double.doubleToRawLongBits(valueOnly), where + ": value-only kernel");
    for (int i = 0; i < n; i++) {
      assertEquals(Double.doubleToRawLongBits(gradient[i]), Double.doubleToRawLongBits(actual[i]), where + ": gradient " + i);
    }
  }

  // ---- random functions of layers -------------------------------------------------------------

  private static int[] randomPositions(SplittableRandom r, int size) {
    List<Integer> out = new ArrayList<>();
    for (int p = 0; p < size; p++) {
      if (r.nextInt(3) > 0) {
        out.add(p);
      }
    }
    if (out.isEmpty()) {
      out.add(r.nextInt(size));
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int oneOf(SplittableRandom r, int... values) {
    return values[r.nextInt(values.length)];
  }

  /**
   * A two-layer network x[d] -> act(W1 x + c1) -> W2 h + c2 with a masked W2 placed from packed
   * weights, and terms that use the other ops, some chosen at random.
   */
  static IrFunction randomNetwork(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int d = oneOf(r, 1, 2, 3, 17, 20);
    int h = oneOf(r, 1, 2, 4, 16, 17, 33);
    int k = oneOf(r, 2, 3, 5, 18);
    int[] masked = randomPositions(r, d * h);
    int[] taken = randomPositions(r, h * d);
    Graph g = new Graph(true);
    List<Node> in = new ArrayList<>();
    BiFunction<String, Shape, Node> input = (name, shape) -> {
      Node node = g.input(name, in.size(), shape);
      in.add(node);
      return node;
    };
    Node w1 = input.apply("w1", Shape.matrix(h, d));
    Node c1 = input.apply("c1", Shape.vector(h));
    Node x = input.apply("x", Shape.vector(d));
    Node packed = input.apply("packed", masked.length == 1 ? Shape.SCALAR : Shape.vector(masked.length));
    Node c2 = input.apply("c2", Shape.vector(d));
    Node v = input.apply("v", Shape.vector(k));
    Node a = input.apply("a", Shape.SCALAR);
    Node pre = g.add(g.matvec(w1, x), c1);
    Node hidden = switch (r.nextInt(4)) {
      case 0 -> g.apply(Op.TANH, pre);
      case 1 -> g.relu(pre);
      case 2 -> g.apply(Op.SOFTPLUS, pre);
      default -> g.apply(Op.SIGMOID, pre);
    };
    Node w2 = g.place(packed, d, h, masked);
    Node y = g.add(g.matvec(w2, hidden), c2);
    List<Node> terms = new ArrayList<>();
    terms.add(g.mul(g.constant(-0.5), g.sum(g.square(y))));
    if (r.nextBoolean()) {
      terms.add(g.sum(g.mul(g.outer(hidden, x), g.mul(w1, a))));
    }
    if (r.nextBoolean()) {
      terms.add(g.sum(g.mul(g.matvecT(w1, hidden), x)));
    }
    if (r.nextBoolean()) {
      Node t = g.apply(Op.TANH, g.take(w1, taken));
      terms.add(t.shape().isScalar() ? t : g.sum(t));
    }
    if (r.nextBoolean()) {
      // a bin of the knots cumsum(exp(v)) and the value of a running sum there
      Node knots = g.cumsum(g.exp(v));
      Node bin = g.search(knots, g.mul(g.sum(x), g.constant(2)));
      terms.add(g.mul(g.pick(g.revcumsum(v), bin), g.sum(y)));
    }
    if (r.nextBoolean()) {
      terms.add(g.apply(Op.LOGSUMEXP, g.mul(w2, g.constant(0.5))));
    }
    if (r.nextBoolean()) {
      // sqrt where y > 0: the guards keep sqrt's infinite derivative out of the gradient
      terms.add(g.sum(g.select(g.apply(Op.GT, y, g.constant(0)), g.sqrt(y), y)));
    }
    Node logp = terms.get(0);
    for (int t = 1; t < terms.size(); t++) {
      logp = g.add(logp, terms.get(t));
    }
    return withGradient(g, in, logp);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void randomNetworksAgreeEverywhere(long seed) throws Exception {
    IrFunction f = randomNetwork(seed);
    assertAllAgree("network " + seed, f, Scheduler.SCALARIZE_LIMIT, seed, seed % 3 == 0);
    assertAllAgree("network " + seed, f, 1, seed, seed % 3 == 1);
  }

  /** A tanh network of layers of the given width, with its gradient. */
  static IrFunction chain(int width, int layers) {
    Graph g = new Graph(true);
    List<Node> in = new ArrayList<>();
    Node x = g.input("x", 0, Shape.vector(width));
    in.add(x);
    Node h = x;
    for (int l = 0; l < layers; l++) {
      Node w = g.input("w" + l, in.size(), Shape.matrix(width, width));
      in.add(w);
      Node c = g.input("c" + l, in.size(), Shape.vector(width));
      in.add(c);
      h = g.apply(Op.TANH, g.add(g.matvec(w, h), c));
    }
    return withGradient(g, in, g.mul(g.constant(-0.5), g.sum(g.square(h))));
  }

  @Test
  void a64By64ChainStaysInLoops() throws Exception {
    IrFunction f = chain(64, 2);
    Kernel k = LoopFusion.fuse(Scheduler.schedule(f, "logp", gradientNames(f), Scheduler.SCALARIZE_LIMIT));
    // matrices are never scalarized: the kernel is a few dozen instructions, not 64 * 64 of them
    assertTrue(k.body().size() < 100, "instructions: " + k.body().size());
    assertTrue(k.body().stream().filter(i -> i instanceof Kernel.MatVec).count() >= 3);
    assertTrue(k.body().stream().anyMatch(i -> i instanceof Kernel.Outer));
    assertAllAgree("64x64 chain", f, Scheduler.SCALARIZE_LIMIT, 64, true);
  }

  /**
   * Position lists longer than one table holds (9000 of a 100 x 100 matrix) or spanning more
   * than a table's chars can (20 positions 3000 apart in a vector of 60000) are cut into several
   * tables, for places and takes alike.
   */
  @Test
  void longPositionListsAreCutIntoTables() throws Exception {
    Graph g = new Graph(true);
    Node w = g.input("w", 0, Shape.matrix(100, 100));
    Node p = g.input("p", 1, Shape.vector(20));
    int[] many = new int[9000];
    Arrays.setAll(many, t -> t + t / 9);
    int[] spread = new int[20];
    Arrays.setAll(spread, t -> 3000 * t);
    Node taken = g.apply(Op.TANH, g.take(w, many));
    Node placed = g.place(p, 60000, 0, spread);
    Node logp = g.sub(g.sum(taken), g.mul(g.constant(0.5), g.sum(g.square(placed))));
    IrFunction f = withGradient(g, List.of(w, p), logp);
    Kernel k = Scheduler.schedule(f, "logp", gradientNames(f), Scheduler.SCALARIZE_LIMIT);
    assertEquals(4, k.body().stream().filter(i -> i instanceof Kernel.Place).count(), "two places of two tables each");
    assertEquals(4, k.body().stream().filter(i -> i instanceof Kernel.Take).count(), "two takes of two tables each");
    // the Java source of tables is checked on the random networks (javac takes seconds on strings this long)
    assertAllAgree("long position lists", f, Scheduler.SCALARIZE_LIMIT, 9000, false, 1);
  }

  /** A short input vector a product reads lies side by side in z already: it is read there, not copied. */
  @Test
  void aScalarizedInputIsReadInPlace() throws Exception {
    Graph g = new Graph(true);
    Node w = g.input("w", 0, Shape.matrix(5, 3));
    Node x = g.input("x", 1, Shape.vector(3));
    IrFunction f = withGradient(g, List.of(w, x), g.sum(g.apply(Op.TANH, g.matvec(w, x))));
    Kernel k = Scheduler.schedule(f, "logp", List.of(), Scheduler.SCALARIZE_LIMIT);
    Kernel.MatVec product = (Kernel.MatVec) k.body().stream().filter(i -> i instanceof Kernel.MatVec).findFirst().orElseThrow();
    assertEquals(new Kernel.Region(Kernel.Array.Z, 15), product.vector());
    assertTrue(k.body().stream().noneMatch(i -> i instanceof Kernel.Store), "no copies: " + k.body());
    assertAllAgree("product of a short input", f, Scheduler.SCALARIZE_LIMIT, 3, false);
  }

  @Test
  void positionTablesAreJavaStringLiteralsOfTheirChars() {
    String text = PositionTables.text(new int[] {0, 10, 13, 34, 65, 92, 127, 200, 4000, 0xD7FF});
    assertEquals("\"\\000\\012\\015\\042A\\134\\177\\310\\u0fa0\\ud7ff\"", PositionTables.javaLiteral(text));
  }

  @Test
  void a200By200LayerRuns() throws Exception {
    assertAllAgree("200x200 layer", chain(200, 1), Scheduler.SCALARIZE_LIMIT, 200, true);
  }
}
