package io.flowc.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A function's indexed lookups: outputs by name (the first of a name) and inputs' offsets in z. */
class IrFunctionTest {

  @Test
  void offsetsLayInputsEndToEndAndOutputsAreFoundByName() {
    Graph g = new Graph(false);
    Node a = g.input("a", 0, Shape.SCALAR);
    Node b = g.input("b", 1, Shape.vector(3));
    Node c = g.input("c", 2, Shape.SCALAR);
    Node first = g.sum(b);
    IrFunction f = new IrFunction(g, List.of(a, b, c),
        List.of(new IrFunction.Output("v", first), new IrFunction.Output("w", a), new IrFunction.Output("v", c)));
    assertEquals(0, f.offsetOf(a));
    assertEquals(1, f.offsetOf(b));
    assertEquals(4, f.offsetOf(c));
    assertEquals(5, f.dimension());
    assertSame(first, f.output("v"));
    assertSame(a, f.output("w"));
    assertThrows(IllegalArgumentException.class, () -> f.output("x"));
    assertThrows(IllegalArgumentException.class, () -> f.offsetOf(g.input("d", 3, Shape.SCALAR)));
    IrFunction more = f.withOutputs(List.of(new IrFunction.Output("x", c)));
    assertSame(c, more.output("x"));
    assertEquals(4, more.offsetOf(c));
  }
}
