package io.flowc.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Identical subexpressions are one node: in the graph factory, through lowering, and in the gradient. */
class HashConsingTest {

  static CheckedModel model(String text) throws Exception {
    return FrontEnd.check(new SourceFile("test.flow", text));
  }

  static CheckedModel example(String name) throws Exception {
    return FrontEnd.check(new SourceFile(name + ".flow", Files.readString(TestPaths.example(name))));
  }

  static Map<Op, Long> opCounts(IrFunction f) {
    return f.liveNodes().stream().collect(Collectors.groupingBy(Node::op, Collectors.counting()));
  }

  @Test
  void buildingAnExpressionTwiceGivesTheSameNode() {
    for (boolean simplify : new boolean[] {false, true}) {
      Graph g = new Graph(simplify);
      Node x = g.input("x", 0, Shape.SCALAR);
      Node v = g.input("v", 1, Shape.vector(3));
      Function<Graph, Node> expr = b -> b.add(
          b.mul(b.sin(b.index(v, 0)), b.exp(x)),
          b.apply(Op.LOGSUMEXP, b.concat(b.slice(b.mul(v, x), 1, 2), b.polygamma(2, x))));
      Node first = expr.apply(g);
      int size = g.size();
      Node second = expr.apply(g);
      assertSame(first, second, "simplify = " + simplify);
      assertEquals(size, g.size(), "nothing new is made the second time");
      // the scalar broadcast into v * x is one node too
      Node vx = g.mul(v, x);
      assertSame(vx.arg(1), g.broadcast(x, 3));
      assertSame(g.input("x", 0, Shape.SCALAR), x);
    }
  }

  @Test
  void sinOfZ0PlusSinOfZ0LowersWithOneSinNode() throws Exception {
    CheckedModel m = model("model m { param z[2]; potential sin(z[0]) + sin(z[0]); }");
    for (IrFunction f : List.of(Compilation.lowered(m), Compilation.value(m))) {
      Map<Op, Long> counts = opCounts(f);
      assertEquals(1L, counts.get(Op.SIN), IrPrinter.print(f));
      assertEquals(1L, counts.get(Op.INDEX), IrPrinter.print(f));
      Node sum = f.output(Compilation.POTENTIAL);
      assertEquals(Op.ADD, sum.op());
      assertSame(sum.arg(0), sum.arg(1));
    }
    assertEquals(String.join("\n",
        "%0 = input z : real[2]",
        "%1 = index[0] %0 : real",
        "%2 = sin %1 : real",
        "%3 = add %2, %2 : real",
        "potential = %3", ""), IrPrinter.print(Compilation.lowered(m)));
  }

  @Test
  void equalSubexpressionsFromLetsFunctionsAndRepetitionAreShared() throws Exception {
    CheckedModel m = model("""
        model m {
          param x;
          param v[3];
          fn f(a) = exp(a) * a;
          fn g(a, b) = sin(a) + exp(b) * b;
          let s = exp(x);
          potential f(x) + s + exp(x) + g(x, x) + f(x);
          potential sum(exp(v) * v) + sum(exp(v) * v) + sum(v * exp(v));
        }
        """);
    IrFunction lowered = Compilation.lowered(m);
    Map<Op, Long> counts = opCounts(lowered);
    assertEquals(2L, counts.get(Op.EXP), () -> "one exp(x), one exp(v):\n" + IrPrinter.print(lowered));
    assertEquals(1L, counts.get(Op.SIN), IrPrinter.print(lowered));
    // exp(v) * v and v * exp(v) are different nodes (no canonical order of operands), each made once
    assertEquals(1L + 2, counts.get(Op.MUL), IrPrinter.print(lowered));
  }

  @Test
  void functionsCalledTwiceWithTheSameArgumentAreShared() throws Exception {
    // pot3 and pot4 call w1(z[0]) twice: one sin
    for (String name : List.of("pot2", "pot3", "pot4")) {
      CheckedModel m = example(name);
      for (IrFunction f : List.of(Compilation.lowered(m), Compilation.value(m), Compilation.valueAndGradient(m))) {
        Map<Op, Long> counts = opCounts(f);
        assertEquals(1L, counts.get(Op.SIN), () -> name + ":\n" + IrPrinter.print(f));
        assertEquals(2L, f.liveNodes().stream().filter(n -> n.op() == Op.INDEX).count(), () -> name + ": z[0] and z[1] once each");
      }
    }
  }

  @Test
  void theGradientSharesTheValuesNodes() throws Exception {
    CheckedModel m = model("model m { param x; potential sin(x) * exp(x); }");
    IrFunction f = Compilation.valueAndGradient(m);
    Map<Op, Long> counts = opCounts(f);
    assertEquals(1L, counts.get(Op.SIN), IrPrinter.print(f));
    assertEquals(1L, counts.get(Op.EXP), () -> "d exp(x) = exp(x) dx reuses the value's node:\n" + IrPrinter.print(f));
    assertEquals(1L, counts.get(Op.COS), IrPrinter.print(f));
    // every node of the value is a node of the function with the gradient
    IrFunction value = new IrFunction(f.graph(), f.inputs(), List.of(new IrFunction.Output("p", f.output(Compilation.POTENTIAL))));
    assertTrue(f.liveNodes().containsAll(value.liveNodes()));
    Node gradient = f.output(Compilation.gradientName(f.inputs().get(0)));
    assertTrue(Graphs.reachable(f.graph(), List.of(gradient)).contains(f.output(Compilation.POTENTIAL).arg(1)),
        () -> "the gradient uses exp(x) from the value:\n" + IrPrinter.print(f));
  }

  @Test
  void constantsAreInternedByBitPattern() {
    Graph g = new Graph(false);
    assertSame(g.constant(1.5), g.constant(1.5));
    assertNotSame(g.constant(0.0), g.constant(-0.0), "0 and -0 differ");
    assertSame(g.constant(Double.NaN), g.constant(Double.longBitsToDouble(0xfff8000000000123L)), "one NaN");
    Node x = g.input("x", 0, Shape.SCALAR);
    assertNotSame(g.add(x, g.constant(0.0)), g.add(x, g.constant(-0.0)));
  }

  @Test
  void attributesAndOperandOrderDistinguishNodes() {
    Graph g = new Graph(true);
    Node x = g.input("x", 0, Shape.SCALAR);
    Node y = g.input("y", 1, Shape.SCALAR);
    Node v = g.input("v", 2, Shape.vector(4));
    assertNotSame(g.index(v, 0), g.index(v, 1));
    assertNotSame(g.slice(v, 0, 2), g.slice(v, 1, 2));
    assertNotSame(g.slice(v, 0, 2), g.slice(v, 0, 3));
    assertNotSame(g.polygamma(1, x), g.polygamma(2, x));
    assertNotSame(g.embed(x, 0, 4), g.embed(x, 1, 4));
    assertNotSame(g.broadcast(x, 3), g.broadcast(x, 4));
    assertNotSame(g.sub(x, y), g.sub(y, x));
    assertNotSame(g.input("x", 3, Shape.SCALAR), x, "another slot is another input");
    assertNotSame(g.input("w", 0, Shape.SCALAR), x, "another name is another input");
  }

  @Test
  void anInputHasOneShape() {
    Graph g = new Graph(false);
    g.input("x", 0, Shape.SCALAR);
    assertThrows(IllegalArgumentException.class, () -> g.input("x", 0, Shape.vector(2)));
  }

  @Test
  void nodesOfAnotherGraphAreRefused() {
    Graph a = new Graph(false);
    Graph b = new Graph(false);
    Node ax = a.input("x", 0, Shape.SCALAR);
    Node asin = a.sin(ax);
    b.input("x", 0, Shape.SCALAR);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.neg(asin));
    assertTrue(e.getMessage().contains("belongs to another graph"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.neg(ax), "same id, other graph");
  }

  @Test
  void opsRefuseAWrongNumberOfAttributes() {
    Graph g = new Graph(false);
    Node v = g.input("v", 0, Shape.vector(3));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> g.apply(Op.INDEX, v));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> g.apply(Op.SIN, new int[] {1}, g.index(v, 0)));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> g.apply(Op.SLICE, new int[] {0}, v));
  }
}
