package io.flowc.cli;

import io.flowc.runtime.many.DataSetInput;

/** One data set of {@code fit-many}'s input, or (input null) why its line or group holds none. */
record SetEntry(String id, DataSetInput input, String problem) {
  static SetEntry of(DataSetInput input) {
    return new SetEntry(input.id(), input, null);
  }

  static SetEntry bad(String id, String problem) {
    return new SetEntry(id, null, problem);
  }
}
