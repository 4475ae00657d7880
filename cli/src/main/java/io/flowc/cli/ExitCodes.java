package io.flowc.cli;

/** The exit codes of every flowc command (DESIGN.md section 6). */
public final class ExitCodes {
  /** The command did what was asked. */
  public static final int OK = 0;
  /** A bug in flowc: an exception nobody anticipated. */
  public static final int INTERNAL = 1;
  /** A user error: a bad model, formula, option, file or data. */
  public static final int USER = 2;
  /** A numerical failure (NaN or infinity that could not be recovered). */
  public static final int NUMERICAL = 3;

  private ExitCodes() {}
}
