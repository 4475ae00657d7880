package io.flowc.cli;

import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.driver.Compilation;
import io.flowc.runtime.data.DataBinding;
import java.util.List;

/**
 * {@code fit --minibatch B}: the checks that make batches of rows an unbiased estimate of the
 * fit on all rows, and the batches themselves. Every refusal is a user error naming why.
 */
final class Minibatches {
  private Minibatches() {}

  /**
   * The batches of {@code size} rows of {@code binding}'s data (null: the model has no data), for
   * the model named {@code model} from {@code file}, whose statements {@code notSums}
   * ({@code LINE:COL}) are not sums over rows.
   */
  static DataBinding.Batches of(String file, String model, DataBinding binding, List<String> notSums, int size) {
    if (binding == null) {
      throw new UserException("--minibatch: model '" + model + "' has no data; minibatches draw rows of data");
    }
    List<String> sizes = binding.rowSizes();
    if (sizes.isEmpty()) {
      throw new UserException("--minibatch: no data of model '" + model + "' have a row count that can vary: "
          + "a size that shapes a parameter or a value of fixed length stays fixed (see \"Sizes bound at run "
          + "time\" in the README), and those rows are not drawn in batches");
    }
    if (sizes.size() > 1) {
      throw new UserException("--minibatch: the data of model '" + model + "' have rows of several sizes ("
          + String.join(", ", sizes) + "); flowc draws batches of one row size only, since one batch size cannot "
          + "serve both and rows of one size may be linked to rows of another");
    }
    if (!notSums.isEmpty()) {
      throw new UserException("--minibatch: " + file + ":" + notSums.get(0) + ": this statement reads rows of data "
          + "but is not a sum over rows (a value computed from other rows, such as a mean or a loop's earlier terms, "
          + "enters it), so a batch "
          + "would estimate it with a bias");
    }
    int rows = binding.rowCount();
    if (size >= rows) {
      throw new UserException("--minibatch " + size + " is not below the " + rows + " rows of the data ("
          + sizes.get(0) + " = " + rows + "); leave it out to fit on all rows");
    }
    return binding.batches(size);
  }

  /** The statements of an artifact's source (checked with its data) that read rows but are not sums over rows. */
  static List<String> notSums(CheckedModel source) {
    return Compilation.termsNotSummedOverRows(Compilation.freeSizes(source));
  }
}
