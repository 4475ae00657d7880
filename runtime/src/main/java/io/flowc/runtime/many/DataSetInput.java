package io.flowc.runtime.many;

import io.flowc.runtime.data.DataSet;
import java.util.Objects;

/** One data set of many: a caller's id (unique within a run) and its data (Stan JSON values). */
public record DataSetInput(String id, DataSet data) {
  public DataSetInput {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(data, "data");
  }
}
