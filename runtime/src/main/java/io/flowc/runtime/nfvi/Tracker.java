package io.flowc.runtime.nfvi;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;

/**
 * Records the parameters and a fresh one-draw gradient estimate every {@code every} iterations,
 * after the step's update: the notebook's Tracker of {@code v.eval} and {@code grad.eval}
 * (PyMC3's tracked gradients are fresh single-draw estimates too, not the ones used in the
 * update). Exportable as CSV: {@code iteration}, each parameter, then {@code grad.} each parameter.
 */
public final class Tracker implements FitCallback {
  private final int every;
  private final List<String> names;
  private final List<Integer> iterations = new ArrayList<>();
  private final List<double[]> parameters = new ArrayList<>();
  private final List<double[]> gradients = new ArrayList<>();

  public Tracker(int every, List<String> parameterNames) {
    if (every < 1) {
      throw new IllegalArgumentException("tracking every " + every + " iterations");
    }
    this.every = every;
    this.names = List.copyOf(parameterNames);
  }

  @Override
  public String afterStep(FitProgress progress) {
    if (progress.iteration() % every == 0) {
      iterations.add(progress.iteration());
      parameters.add(progress.parameters().clone());
      gradients.add(progress.freshGradient());
    }
    return null;
  }

  public List<Integer> iterations() {
    return List.copyOf(iterations);
  }

  public List<double[]> parameters() {
    return parameters.stream().map(double[]::clone).toList();
  }

  public List<double[]> gradients() {
    return gradients.stream().map(double[]::clone).toList();
  }

  /** A header field as RFC 4180 wants it: a matrix element's name ({@code nsf_0.out.weight[3,0]}) is quoted. */
  static String csvField(String name) {
    return name.indexOf(',') < 0 && name.indexOf('"') < 0 ? name : '"' + name.replace("\"", "\"\"") + '"';
  }

  public void writeCsv(Writer out) throws IOException {
    StringBuilder header = new StringBuilder("iteration");
    names.forEach(n -> header.append(',').append(csvField(n)));
    names.forEach(n -> header.append(',').append(csvField("grad." + n)));
    out.write(header.append('\n').toString());
    for (int k = 0; k < iterations.size(); k++) {
      StringBuilder row = new StringBuilder().append(iterations.get(k));
      for (double v : parameters.get(k)) {
        row.append(',').append(v);
      }
      for (double v : gradients.get(k)) {
        row.append(',').append(v);
      }
      out.write(row.append('\n').toString());
    }
  }
}
