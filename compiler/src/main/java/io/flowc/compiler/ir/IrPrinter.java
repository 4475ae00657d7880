package io.flowc.compiler.ir;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The readable SSA form of a function: one line per live node, numbered from 0 in topological
 * order when printed (so the text does not depend on how many dead nodes the graph holds), then
 * the outputs.
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
    List<Node> live = f.liveNodes();
    Map<Node, Integer> number = new HashMap<>();
    StringBuilder out = new StringBuilder();
    for (Node n : live) {
      number.put(n, number.size());
      out.append('%').append(number.get(n)).append(" = ").append(n.op().symbol());
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
    }
    for (IrFunction.Output o : f.outputs()) {
      out.append(o.name()).append(" = %").append(number.get(o.node())).append('\n');
    }
    return out.toString();
  }

  private static String format(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15 && Double.compare(v, -0.0) != 0) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }
}
