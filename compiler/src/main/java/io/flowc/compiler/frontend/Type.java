package io.flowc.compiler.frontend;

/**
 * The type of a model expression: real or boolean, scalar ({@code length == 0}) or a vector of
 * {@code length >= 1} elements. {@link #ERROR} marks an expression already reported as wrong, so
 * that one mistake yields one diagnostic.
 */
public record Type(Kind kind, int length) {

  public enum Kind {
    REAL,
    BOOL,
    ERROR
  }

  public static final Type REAL = new Type(Kind.REAL, 0);
  public static final Type BOOL = new Type(Kind.BOOL, 0);
  public static final Type ERROR = new Type(Kind.ERROR, 0);

  public static Type realVector(int length) {
    return new Type(Kind.REAL, length);
  }

  public boolean isScalar() {
    return length == 0;
  }

  public boolean isVector() {
    return length > 0;
  }

  public boolean isReal() {
    return kind == Kind.REAL;
  }

  public boolean isBool() {
    return kind == Kind.BOOL;
  }

  public boolean isError() {
    return kind == Kind.ERROR;
  }

  public Type withLength(int newLength) {
    return new Type(kind, newLength);
  }

  /** As in messages: "a scalar", "a vector of length 3", "a boolean", "a boolean vector of length 3". */
  public String describe() {
    return switch (kind) {
      case REAL -> isScalar() ? "a scalar" : "a vector of length " + length;
      case BOOL -> isScalar() ? "a boolean" : "a boolean vector of length " + length;
      case ERROR -> "an erroneous expression";
    };
  }
}
