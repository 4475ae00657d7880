package io.flowc.spark;

import io.flowc.runtime.data.DataSet;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/** The data every group shares, as serializable values (a {@link DataSet} is not). */
final class CommonData implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final LinkedHashMap<String, int[]> dims = new LinkedHashMap<>();
  private final LinkedHashMap<String, double[]> elements = new LinkedHashMap<>();
  private final LinkedHashMap<String, String> unusable;

  CommonData(DataSet data) {
    this.source = data.source();
    data.values().forEach((name, value) -> {
      dims.put(name, value.dims());
      elements.put(name, value.elements().clone());
    });
    this.unusable = new LinkedHashMap<>(data.unusableMembers());
  }

  DataSet toDataSet() {
    Map<String, DataSet.Value> values = new LinkedHashMap<>();
    dims.forEach((name, d) -> values.put(name, new DataSet.Value(d.clone(), elements.get(name).clone())));
    return new DataSet(source, values, unusable);
  }
}
