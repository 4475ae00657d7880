package io.flowc.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link IrVerifier} rejects broken functions (made here through the package-private node
 * factory {@link Graph#intern}, which takes any shape, and by rewiring a node's arguments) and
 * accepts everything {@link Compilation} makes of every example.
 */
class IrVerifierTest {
  private final Graph g = new Graph(false);
  private final Node x = g.input("x", 0, Shape.SCALAR);
  private final Node v = g.input("v", 1, Shape.vector(3));
  private final List<Node> inputs = List.of(x, v);

  private IrFunction withOutput(Node out) {
    return new IrFunction(g, inputs, List.of(new IrFunction.Output("out", out)));
  }

  /** The verifier rejects f with a message naming {@code culprit} (if given) and containing {@code reason}. */
  private static void rejects(IrFunction f, Node culprit, String reason) {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> IrVerifier.verify(f));
    assertTrue(e.getMessage().startsWith("IR verifier: "), e.getMessage());
    assertTrue(e.getMessage().contains(reason), () -> "expected '" + reason + "' in: " + e.getMessage());
    if (culprit != null) {
      assertTrue(e.getMessage().contains("%" + culprit.id() + " = " + culprit.op().symbol()), () -> "the message names " + culprit + ": " + e.getMessage());
    }
  }

  private static Node[] argumentsOf(Node n) throws ReflectiveOperationException {
    Field args = Node.class.getDeclaredField("args");
    args.setAccessible(true);
    return (Node[]) args.get(n);
  }

  @Test
  void acceptsAWellFormedFunction() {
    Node out = g.add(g.sum(g.mul(v, g.sin(x))), g.index(g.concat(x, g.slice(v, 1, 2)), 2));
    IrFunction f = withOutput(out);
    assertSame(f, IrVerifier.verify(f));
  }

  @Test
  void rejectsAnElementwiseShapeLie() {
    Node lie = g.intern(Op.SIN, new Node[] {x}, new int[0], 0, null, Shape.vector(3));
    rejects(withOutput(g.sum(lie)), lie, "shape real[3] but its op gives real");
    Node lie2 = g.intern(Op.ADD, new Node[] {v, v}, new int[0], 0, null, Shape.SCALAR);
    rejects(withOutput(lie2), lie2, "shape real but its op gives real[3]");
    Node lie3 = g.intern(Op.MUL, new Node[] {v, g.intern(Op.NEG, new Node[] {v}, new int[0], 0, null, Shape.vector(2))},
        new int[0], 0, null, Shape.vector(3));
    rejects(withOutput(g.sum(lie3)), null, "real[2]");
  }

  @Test
  void rejectsElementwiseArgumentsOfDifferentShapes() {
    // a scalar meeting a vector without the broadcast the factory would insert
    Node unbroadcast = g.intern(Op.ADD, new Node[] {v, x}, new int[0], 0, null, Shape.vector(3));
    rejects(withOutput(g.sum(unbroadcast)), unbroadcast, "ADD of shapes real[3] and real");
  }

  @Test
  void rejectsStructuralShapeLies() {
    Node sum = g.intern(Op.SUM, new Node[] {v}, new int[0], 0, null, Shape.vector(3));
    rejects(withOutput(g.index(sum, 0)), sum, "shape real[3] but its op gives real");
    Node sumOfScalar = g.intern(Op.SUM, new Node[] {x}, new int[0], 0, null, Shape.SCALAR);
    rejects(withOutput(sumOfScalar), sumOfScalar, "SUM of a scalar");
    Node slice = g.intern(Op.SLICE, new Node[] {v}, new int[] {1, 2}, 0, null, Shape.vector(3));
    rejects(withOutput(g.sum(slice)), slice, "shape real[3] but its op gives real[2]");
    Node concat = g.intern(Op.CONCAT, new Node[] {x, v}, new int[0], 0, null, Shape.vector(3));
    rejects(withOutput(g.sum(concat)), concat, "its op gives real[4]");
    Node broadcast = g.intern(Op.BROADCAST, new Node[] {v}, new int[] {3}, 0, null, Shape.vector(3));
    rejects(withOutput(g.sum(broadcast)), broadcast, "broadcast of a vector");
  }

  @Test
  void rejectsAttributesOutOfRange() {
    Node index = g.intern(Op.INDEX, new Node[] {v}, new int[] {3}, 0, null, Shape.SCALAR);
    rejects(withOutput(index), index, "index 3 out of range");
    Node slice = g.intern(Op.SLICE, new Node[] {v}, new int[] {2, 2}, 0, null, Shape.vector(2));
    rejects(withOutput(g.sum(slice)), slice, "out of range");
    Node embed = g.intern(Op.EMBED, new Node[] {v}, new int[] {1, 3}, 0, null, Shape.vector(3));
    rejects(withOutput(g.sum(embed)), embed, "embed [1, 3]");
  }

  @Test
  void rejectsTheWrongNumberOfArguments() {
    Node add = g.intern(Op.ADD, new Node[] {x}, new int[0], 0, null, Shape.SCALAR);
    rejects(withOutput(add), add, "wrong number of arguments");
    Node neg = g.intern(Op.NEG, new Node[] {x, x}, new int[0], 0, null, Shape.SCALAR);
    rejects(withOutput(neg), neg, "wrong number of arguments");
    Node concat = g.intern(Op.CONCAT, new Node[0], new int[0], 0, null, Shape.vector(1));
    rejects(withOutput(g.sum(concat)), concat, "wrong number of arguments");
  }

  @Test
  void rejectsAVectorConstant() {
    Node c = g.intern(Op.CONST, new Node[0], new int[0], 1.5, null, Shape.vector(3));
    rejects(withOutput(g.sum(c)), c, "a vector constant");
  }

  @Test
  void rejectsInputsTheFunctionDoesNotDeclare() {
    Node y = g.input("y", 2, Shape.SCALAR);
    rejects(new IrFunction(g, List.of(x), List.of(new IrFunction.Output("out", g.add(x, y)))), y, "input not declared");
    rejects(new IrFunction(g, List.of(x, g.sin(x)), List.of(new IrFunction.Output("out", x))), null, "input list holds a non-input");
    Graph other = new Graph(false);
    Node foreignInput = other.input("x", 0, Shape.SCALAR);
    rejects(new IrFunction(g, List.of(foreignInput), List.of(new IrFunction.Output("out", x))), null, "input from another graph");
    for (int i = 0; i < 10; i++) {
      other.sin(foreignInput);
      foreignInput = other.input("z" + i, i, Shape.SCALAR); // ids beyond g's
    }
    rejects(new IrFunction(g, List.of(foreignInput), List.of(new IrFunction.Output("out", x))), null, "input from another graph");
  }

  @Test
  void betweenPassesTheIrIsCheckedWithAssertionsOn() {
    assertTrue(IrVerifier.class.desiredAssertionStatus(), "tests run with Java's assertions on");
    Graph other = new Graph(false);
    IrFunction broken = withOutput(other.sin(other.input("x", 0, Shape.SCALAR)));
    assertThrows(IllegalStateException.class, () -> IrVerifier.afterPass(broken));
    IrFunction f = withOutput(g.sin(x));
    assertSame(f, IrVerifier.afterPass(f));
  }

  @Test
  void rejectsOutputsFromAnotherGraphOrMissing() {
    Graph other = new Graph(false);
    Node ox = other.input("x", 0, Shape.SCALAR);
    rejects(withOutput(other.sin(ox)), null, "output out from another graph");
    // a node that no graph made, with an id some node of g has
    Node stray = new Node(x.id(), Op.INPUT, new Node[0], new int[] {0}, 0, "x", Shape.SCALAR);
    rejects(withOutput(stray), null, "output out from another graph");
    Node beyond = new Node(g.size() + 10, Op.NEG, new Node[] {x}, new int[0], 0, null, Shape.SCALAR);
    rejects(withOutput(beyond), null, "output out from another graph");
    rejects(withOutput(null), null, "output out has no node");
  }

  @Test
  void rejectsAnArgumentThatComesLater() throws Exception {
    Node a = g.sin(x);
    Node b = g.cos(a);
    Node out = g.exp(b);
    argumentsOf(a)[0] = b; // a cycle: a = sin(b), b = cos(a)
    rejects(withOutput(out), a, "does not come first");
  }

  @Test
  void rejectsAnArgumentFromAnotherGraph() throws Exception {
    Graph other = new Graph(false);
    Node ox = other.input("x", 0, Shape.SCALAR);
    Node osin = other.sin(ox); // id 1 in other; v has id 1 in g
    Node a = g.cos(x);
    Node out = g.exp(a);
    argumentsOf(a)[0] = osin;
    rejects(withOutput(out), null, "from another graph");
    Node far = other.sin(other.sin(other.sin(other.sin(osin))));
    argumentsOf(a)[0] = far; // an id no node of g has
    rejects(withOutput(out), null, "from another graph");
  }

  // ---- what the compiler makes passes --------------------------------------------------------

  static List<Path> examples() throws Exception {
    try (Stream<Path> files = Files.list(TestPaths.examples())) {
      return files.filter(p -> p.toString().endsWith(".flow")).sorted().toList();
    }
  }

  @Test
  void thereAreExamples() throws Exception {
    List<String> names = examples().stream().map(p -> p.getFileName().toString()).toList();
    assertTrue(names.containsAll(List.of("pot1.flow", "pot2.flow", "pot3.flow", "pot4.flow", "kitchen_sink.flow")), names::toString);
  }

  @TestFactory
  Stream<DynamicTest> everyStageOfEveryExamplePassesTheVerifier() throws Exception {
    return examples().stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
      CheckedModel m = TestPaths.checkExample(file);
      IrFunction lowered = IrVerifier.verify(Compilation.lowered(m));
      IrFunction value = IrVerifier.verify(Compilation.value(m));
      IrFunction both = IrVerifier.verify(Compilation.valueAndGradient(m));
      for (IrFunction f : List.of(lowered, value, both)) {
        IrVerifier.verify(Graphs.rebuild(f, new Graph(false)));
        IrVerifier.verify(Graphs.rebuild(f, new Graph(true)));
        assertFalse(f.graph().simplifies() && f == lowered, "the lowered form is not rewritten");
      }
      assertEquals(m.params().size(), both.inputs().size());
      assertEquals(List.of(Compilation.POTENTIAL), value.outputs().stream().map(IrFunction.Output::name).toList());
      assertEquals(2 + m.params().size(), both.outputs().size(), "potential, log p and one gradient per parameter");
      // the gradient has its parameter's shape
      for (Node in : both.inputs()) {
        assertEquals(in.shape(), both.output(Compilation.gradientName(in)).shape(), in.name());
      }
      // the differentiator's leftovers are gone: only live nodes and the inputs remain
      java.util.Set<Node> kept = new java.util.HashSet<>(both.liveNodes());
      kept.addAll(both.inputs());
      assertEquals(kept.size(), both.graph().size(), "dead nodes in the value and gradient");
    }));
  }
}
