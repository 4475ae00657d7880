package io.flowc.cli;

import java.util.regex.Pattern;

/** Parses a point of parameter space given on the command line, as in {@code --at 2.0,0.3}. */
public final class Coordinates {
  /**
   * Plain decimal numbers only: {@code -1}, {@code 2.5}, {@code .5}, {@code 1.}, {@code 1e-3}.
   * Java's extras ({@code 0x1p3}, {@code 1d}, {@code NaN}, {@code Infinity}) are refused.
   */
  private static final Pattern NUMBER = Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");

  private Coordinates() {}

  /**
   * The numbers of a comma-separated list (blanks around the numbers are ignored).
   *
   * @param option the option's name, for messages
   * @throws UserException on an empty list or item, a non-number, or a number beyond the doubles
   */
  public static double[] parse(String option, String text) {
    if (text.isBlank()) {
      throw new UserException(option + " needs a comma-separated list of numbers, e.g. " + option + " 2.0,0.3");
    }
    String[] items = text.split(",", -1);
    double[] values = new double[items.length];
    for (int i = 0; i < items.length; i++) {
      String item = items[i].strip();
      String where = items.length == 1 ? "" : " (value " + (i + 1) + " of '" + text + "')";
      if (item.isEmpty()) {
        throw new UserException(option + ": empty value" + where);
      }
      if (!NUMBER.matcher(item).matches()) {
        throw new UserException(option + ": '" + item + "' is not a number" + where
            + "; write plain decimals such as -1, 2.5, .5 or 1e-3");
      }
      double value = Double.parseDouble(item);
      if (Double.isInfinite(value)) {
        throw new UserException(option + ": '" + item + "' is too large for a double" + where);
      }
      values[i] = value;
    }
    return values;
  }

  /** Checks that a point has one value per parameter element of a model. */
  static void checkDimension(String option, double[] values, ModelSummary model) {
    int dimension = model.dimension();
    if (values.length != dimension) {
      throw new UserException(option + " has " + values.length + (values.length == 1 ? " value" : " values")
          + " but model '" + model.name() + "' has dimension " + dimension + ": " + Elements.describe(model)
          + " (one value per element, in declaration order)");
    }
  }
}
