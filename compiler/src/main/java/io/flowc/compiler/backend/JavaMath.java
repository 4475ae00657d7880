package io.flowc.compiler.backend;

import io.flowc.compiler.ir.Op;

/** The static methods (of {@link Math} or of the runtime's MathFunctions) that implement ops. */
final class JavaMath {
  private JavaMath() {}

  /** Whether an op is a call to one of the runtime's MathFunctions rather than to {@link Math}. */
  static boolean inRuntime(Op op) {
    return switch (op) {
      case TANH, LOG1P, SIGMOID, LOGIT, SOFTPLUS, LOGADDEXP, ERF, ERFC, LGAMMA, POLYGAMMA -> true;
      default -> false;
    };
  }

  static String methodName(Op op) {
    return switch (op) {
      case POW -> "pow";
      case SIN -> "sin";
      case COS -> "cos";
      case TAN -> "tan";
      case ASIN -> "asin";
      case ACOS -> "acos";
      case ATAN -> "atan";
      case ATAN2 -> "atan2";
      case SINH -> "sinh";
      case COSH -> "cosh";
      case TANH -> "tanh";
      case EXP -> "exp";
      case EXPM1 -> "expm1";
      case LOG -> "log";
      case LOG1P -> "log1p";
      case SQRT -> "sqrt";
      case ABS -> "abs";
      case MIN -> "min";
      case MAX -> "max";
      case SIGMOID -> "sigmoid";
      case LOGIT -> "logit";
      case SOFTPLUS -> "softplus";
      case LOGADDEXP -> "logaddexp";
      case ERF -> "erf";
      case ERFC -> "erfc";
      case LGAMMA -> "lgamma";
      case POLYGAMMA -> "polygamma";
      default -> throw new IllegalArgumentException(op + " is not a call");
    };
  }
}
