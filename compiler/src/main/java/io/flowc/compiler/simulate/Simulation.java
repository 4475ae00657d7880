package io.flowc.compiler.simulate;

import io.flowc.runtime.data.DataSet;
import java.util.Map;

/**
 * One joint draw of a model: the true parameter values (constrained, by parameter name in
 * declaration order; a vector's elements in the order {@code sample} names them) and the full
 * data set (every data declaration of the model, drawn or given, in declaration order).
 */
public record Simulation(Map<String, DataSet.Value> parameters, DataSet data) {}
