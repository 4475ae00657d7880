package io.flowc.compiler.frontend;

import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.diag.Span;
import java.util.List;
import java.util.Locale;

/** The immutable syntax tree of a model; every node knows its span in the source. */
public final class Ast {
  private Ast() {}

  /** An expression. */
  public sealed interface Expr permits Num, Ident, Unary, Binary, Conditional, Call, Index, VectorLit {
    Span span();
  }

  /** A number literal; {@code text} is kept because indices and sizes must be integer literals. */
  public record Num(double value, String text, Span span) implements Expr {
    /** Whether the literal is written as a plain non-negative integer ({@code 3}, not {@code 3.0}). */
    public boolean isIntegerLiteral() {
      return text.chars().allMatch(c -> c >= '0' && c <= '9');
    }
  }

  public record Ident(String name, Span span) implements Expr {}

  public enum UnaryOp {
    NEG("-"),
    PLUS("+"),
    NOT("!");

    public final String symbol;

    UnaryOp(String symbol) {
      this.symbol = symbol;
    }
  }

  public record Unary(UnaryOp op, Expr operand, Span span) implements Expr {}

  public enum BinaryOp {
    ADD("+"), SUB("-"), MUL("*"), DIV("/"), POW("^"),
    LT("<"), LE("<="), GT(">"), GE(">="), EQ("=="), NE("!="),
    AND("&&"), OR("||");

    public final String symbol;

    BinaryOp(String symbol) {
      this.symbol = symbol;
    }

    public boolean isArithmetic() {
      return ordinal() <= POW.ordinal();
    }

    public boolean isComparison() {
      return ordinal() >= LT.ordinal() && ordinal() <= NE.ordinal();
    }

    public boolean isLogical() {
      return this == AND || this == OR;
    }
  }

  public record Binary(BinaryOp op, Expr left, Expr right, Span opSpan, Span span) implements Expr {}

  public record Conditional(Expr cond, Expr then, Expr otherwise, Span span) implements Expr {}

  /** The name of the call {@code v[a:b]} stands for: elements a .. b - 1 of v (not a name a model can write). */
  public static final String WINDOW = "[:]";

  /**
   * A call; {@code sampling} marks the density call a sampling statement {@code y ~ D(...)}
   * stands for (its {@code nameSpan} covers {@code D}), so that messages speak of distributions.
   */
  public record Call(String name, Span nameSpan, List<Expr> args, Span span, boolean sampling) implements Expr {
    public Call {
      args = List.copyOf(args);
    }

    public Call(String name, Span nameSpan, List<Expr> args, Span span) {
      this(name, nameSpan, args, span, false);
    }

    /** The distribution's name in a sampling statement: the call's name without its suffix. */
    public String distribution() {
      return name.substring(0, name.length() - "_lpdf".length());
    }
  }

  public record Index(Expr target, Expr index, Span span) implements Expr {}

  public record VectorLit(List<Expr> elements, Span span) implements Expr {
    public VectorLit {
      elements = List.copyOf(elements);
    }
  }

  /** A name as written, with its span. */
  public record Name(String text, Span span) {}

  /** A statement of the model body, in source order. */
  public sealed interface Statement permits DataDecl, ParamDecl, LetDecl, FnDecl, Contribution, StateDecl, Assign, Loop {
    Span span();
  }

  /**
   * {@code data int N;}, {@code data real y[N];}, {@code data real X[N, K];}: values bound from a
   * data file; {@code dims} holds zero, one or two size expressions.
   */
  public record DataDecl(Name name, boolean integer, List<Expr> dims, Span span) implements Statement {
    public DataDecl {
      dims = List.copyOf(dims);
    }
  }

  /**
   * {@code param NAME;} or {@code param NAME[SIZE];} ({@code size} is null for a scalar), with
   * optional bounds {@code > LOWER}, {@code < UPPER} or {@code in (LOWER, UPPER)} (null when
   * absent), or a transform by name ({@code ordered}; null when absent).
   */
  public record ParamDecl(Name name, Expr size, Expr lower, Expr upper, Name transform, Span span) implements Statement {
    public ParamDecl(Name name, Expr size, Span span) {
      this(name, size, null, null, null, span);
    }

    public ParamDecl(Name name, Expr size, Expr lower, Expr upper, Span span) {
      this(name, size, lower, upper, null, span);
    }
  }

  /**
   * {@code let NAME = EXPR;}, or {@code derived NAME = EXPR;} ({@code derived} true): a named value
   * that is also reported with the parameters (Stan's transformed parameters).
   */
  public record LetDecl(Name name, Expr value, boolean derived, Span span) implements Statement {
    public LetDecl(Name name, Expr value, Span span) {
      this(name, value, false, span);
    }
  }

  public record FnDecl(Name name, List<Name> params, Expr body, Span span) implements Statement {
    public FnDecl {
      params = List.copyOf(params);
    }
  }

  public enum ContributionKind {
    /** {@code potential EXPR;} adds EXPR to U(z). */
    POTENTIAL,
    /** {@code logp += EXPR;} adds EXPR to log p(z). */
    LOGP;

    public String keyword() {
      return this == POTENTIAL ? "potential" : "logp +=";
    }
  }

  public record Contribution(ContributionKind kind, Expr value, Span span) implements Statement {}

  /**
   * {@code state NAME = EXPR;}: a value a loop updates ({@link Assign}); EXPR is its value before
   * the first iteration, and after a loop it holds the last value the loop gave it.
   */
  public record StateDecl(Name name, Expr value, Span span) implements Statement {}

  /** {@code NAME = EXPR;} inside a loop: the state's value from here on. */
  public record Assign(Name name, Expr value, Span span) implements Statement {}

  /**
   * {@code for t in FROM:TO { ... }}: the body once for each t = FROM, ..., TO - 1 (0-based and
   * half-open, as {@code cols}), lowered to one scan ({@code docs/internals.md}, "Scan").
   */
  public record Loop(Name index, Expr from, Expr to, List<Statement> body, Span span) implements Statement {
    public Loop {
      body = List.copyOf(body);
    }
  }

  public record Model(Name name, List<Statement> statements, SourceFile source, Span span) {
    public Model {
      statements = List.copyOf(statements);
    }
  }

  /** Lower-case name of a unary operator for printing ({@code neg}, {@code plus}, {@code not}). */
  static String printName(UnaryOp op) {
    return op.name().toLowerCase(Locale.ROOT);
  }
}
