package io.flowc.compiler.ir;

import java.util.ArrayList;
import java.util.List;

/**
 * A function in IR form: named inputs (the model's parameters, in declaration order, laid end to
 * end in the flat vector z) and named outputs, all nodes of one graph.
 */
public record IrFunction(Graph graph, List<Node> inputs, List<Output> outputs) {

  public record Output(String name, Node node) {}

  public IrFunction {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  public Node output(String name) {
    return outputs.stream().filter(o -> o.name().equals(name)).map(Output::node).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no output " + name));
  }

  /** Offset of each input in the flat vector z. */
  public int offsetOf(Node input) {
    int offset = 0;
    for (Node in : inputs) {
      if (in == input) {
        return offset;
      }
      offset += in.shape().size();
    }
    throw new IllegalArgumentException(input + " is not an input");
  }

  public int dimension() {
    return inputs.stream().mapToInt(n -> n.shape().size()).sum();
  }

  /** The nodes that some output needs, in topological (id) order. */
  public List<Node> liveNodes() {
    return Graphs.reachable(graph, outputs.stream().map(Output::node).toList());
  }

  /** The same function with some more outputs. */
  public IrFunction withOutputs(List<Output> more) {
    List<Output> all = new ArrayList<>(outputs);
    all.addAll(more);
    return new IrFunction(graph, inputs, all);
  }
}
