package io.flowc.compiler.ir;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The readable SSA form of a function: one line per live node, numbered from 0 in topological
 * order when printed (so the text does not depend on how many dead nodes the graph holds), then
 * the outputs. A scan's body ({@link ScanBody}) follows its scan's line, indented, numbered on
 * its own (its inputs are the carries, the slices and the constants, in that order; its outputs
 * the next carries, then the per-iteration outputs).
 *
 * <pre>
 *   %0 = input z : real[2]
 *   %1 = index[0] %0 : real
 *   potential = %5
 * </pre>
 */
public final class IrPrinter {
  private IrPrinter() {}

  public static String print(IrFunction f) {
    StringBuilder out = new StringBuilder();
    print(f, "", out);
    return out.toString();
  }

  private static void print(IrFunction f, String indent, StringBuilder out) {
    List<Node> live = f.liveNodes();
    Map<Node, Integer> number = new HashMap<>();
    for (Node n : live) {
      number.put(n, number.size());
      out.append(indent).append('%').append(number.get(n)).append(" = ").append(n.op().symbol());
      if (n.op() == Op.CONST) {
        out.append(' ').append(format(n.value()));
      } else if (n.op() == Op.INPUT || n.op() == Op.DATA) {
        out.append(' ').append(n.name());
      } else {
        if (n.attrCount() > 0) {
          StringBuilder attrs = new StringBuilder();
          for (int i = 0; i < n.attrCount(); i++) {
            attrs.append(i == 0 ? "" : ",").append(n.attr(i));
          }
          out.append('[').append(attrs).append(']');
        }
        out.append(' ').append(n.args().stream().map(a -> "%" + number.get(a)).collect(Collectors.joining(", ")));
      }
      out.append(" : ").append(n.shape()).append('\n');
      if (n.op() == Op.SCAN) {
        ScanBody body = n.scanBody();
        out.append(indent).append("  body (").append(body.carries()).append(" carries, ").append(body.xs())
            .append(" slices, ").append(body.constants()).append(" constants):\n");
        print(body.function(), indent + "    ", out);
      }
    }
    for (IrFunction.Output o : f.outputs()) {
      out.append(indent).append(o.name()).append(" = %").append(number.get(o.node())).append('\n');
    }
  }

  private static String format(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15 && Double.compare(v, -0.0) != 0) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }
}
