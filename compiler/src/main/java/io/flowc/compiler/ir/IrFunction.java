package io.flowc.compiler.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A function in IR form: named inputs (the model's parameters, in declaration order, laid end to
 * end in the flat vector z) and named outputs, all nodes of one graph.
 *
 * <p>Outputs by name and offsets of inputs are indexed when the function is made: a flow has
 * thousands of each, and passes look every one of them up.
 */
public final class IrFunction {

  public record Output(String name, Node node) {}

  private final Graph graph;
  private final List<Node> inputs;
  private final List<Output> outputs;
  private final Map<String, Node> outputsByName = new HashMap<>();
  private final Map<Node, Integer> offsets = new IdentityHashMap<>();
  /** {@link #liveNodes()}, once asked for: the nodes never change, and passes and the verifier ask again. */
  private List<Node> live;

  public IrFunction(Graph graph, List<Node> inputs, List<Output> outputs) {
    this.graph = graph;
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    for (Output o : this.outputs) {
      outputsByName.putIfAbsent(o.name(), o.node());
    }
    int offset = 0;
    for (Node in : this.inputs) {
      offsets.putIfAbsent(in, offset);
      if (in.shape().isDynamic()) {
        break; // later offsets are not defined: offsetOf reports it as it walks
      }
      offset += in.shape().size();
    }
  }

  public Graph graph() {
    return graph;
  }

  public List<Node> inputs() {
    return inputs;
  }

  public List<Output> outputs() {
    return outputs;
  }

  public Node output(String name) {
    Node n = outputsByName.get(name);
    if (n == null) {
      throw new IllegalArgumentException("no output " + name);
    }
    return n;
  }

  /** Offset of each input in the flat vector z. */
  public int offsetOf(Node input) {
    Integer indexed = offsets.get(input);
    if (indexed != null) {
      return indexed;
    }
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
    List<Node> live = this.live;
    if (live == null) {
      live = Collections.unmodifiableList(Graphs.reachable(graph, outputs.stream().map(Output::node).toList()));
      this.live = live;
    }
    return live;
  }

  /** The same function with some more outputs. */
  public IrFunction withOutputs(List<Output> more) {
    List<Output> all = new ArrayList<>(outputs);
    all.addAll(more);
    return new IrFunction(graph, inputs, all);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IrFunction f && f.graph == graph && f.inputs.equals(inputs) && f.outputs.equals(outputs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(System.identityHashCode(graph), inputs, outputs);
  }

  @Override
  public String toString() {
    return "IrFunction[inputs=" + inputs.size() + ", outputs=" + outputs.size() + "]";
  }
}
