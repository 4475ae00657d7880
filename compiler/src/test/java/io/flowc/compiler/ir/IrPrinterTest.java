package io.flowc.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The printed IR ({@code flowc ir}): a scan's body printed under its scan line, numbered on its own. */
class IrPrinterTest {

  @Test
  void aScansBodyIsPrintedIndentedUnderItsScan() {
    Graph body = new Graph(false);
    Node c = body.input("c", 0, Shape.SCALAR);
    Node x = body.input("x", 1, Shape.SCALAR);
    Node a = body.input("a", 2, Shape.SCALAR);
    ScanBody scanBody = new ScanBody(new IrFunction(body, List.of(c, x, a), List.of(
        new IrFunction.Output("c", body.add(body.mul(a, c), x)), new IrFunction.Output("y", body.mul(c, x)))), 1, 1);
    Graph g = new Graph(false);
    Node init = g.input("init", 0, Shape.SCALAR);
    Node xs = g.input("xs", 1, Shape.vector(4));
    Node rate = g.input("rate", 2, Shape.SCALAR);
    Node scan = g.scan(scanBody, 4, false, false, init, xs, rate);
    IrFunction f = new IrFunction(g, List.of(init, xs, rate), List.of(new IrFunction.Output("last", g.index(scan, 0))));
    String[] lines = IrPrinter.print(f).split("\n");
    assertEquals(List.of(
            "  body (1 carries, 1 slices, 1 constants):",
            "    %0 = input c : real",
            "    %1 = input x : real",
            "    %2 = input a : real",
            "    %3 = mul %2, %0 : real",
            "    %4 = add %3, %1 : real",
            "    %5 = mul %0, %1 : real",
            "    c = %4",
            "    y = %5"),
        List.of(lines).subList(4, 13), String.join("\n", lines));
    assertEquals(true, lines[3].startsWith("%3 = scan"), lines[3]);
    assertEquals("last = %4", lines[lines.length - 1]);
  }
}
