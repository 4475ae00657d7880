package io.flowc.cli;

/** The layouts {@code --out} writes draws in: flowc's own CSV, or Stan's ({@link StanCsv}). */
enum DrawsFormat {
  FLOWC("flowc"),
  STAN_CSV("stan-csv");

  private final String option;

  DrawsFormat(String option) {
    this.option = option;
  }

  /** The format named {@code value} on the command line; a user error for any other. */
  static DrawsFormat parse(String value) {
    for (DrawsFormat f : values()) {
      if (f.option.equals(value)) {
        return f;
      }
    }
    throw new UserException("--format must be flowc or stan-csv, not '" + value + "'");
  }

  /** Refuses a Stan CSV asked for without {@code --out}: nothing else writes draws. */
  static DrawsFormat forOut(String value, String out) {
    DrawsFormat format = parse(value);
    if (format != FLOWC && out == null) {
      throw new UserException("--format " + value + " applies to the draws --out FILE writes: give --out");
    }
    return format;
  }
}
