package io.flowc.compiler.frontend;

import io.flowc.compiler.diag.Diagnostic;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.diag.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.FailedPredicateException;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.Vocabulary;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * ANTLR's recovery, with its messages replaced by short ones in the user's terms
 * ("unexpected ';', expected an expression") that land in a diagnostic list instead of the
 * console. Token classes that always travel together are named as one (an expression, an
 * operator, a statement) so that expected-sets stay readable.
 */
final class SyntaxErrorStrategy extends DefaultErrorStrategy {
  /** How the parser's token types are described to users. */
  interface TokenClasses {
    /** The token types that may start an expression (empty if the grammar has none). */
    IntervalSet expressionStart();

    /** The binary operators, described together as "an operator". */
    IntervalSet operators();

    /** The tokens that start a statement, described together as "a statement". */
    IntervalSet statementStart();

    /** Whether a token type is a reserved word, which deserves a hint where a name was expected. */
    boolean isKeyword(int type);

    /** The type of a name token. */
    int nameType();

    /** A description of one token type ("a name", "a number", "';'"). */
    String describe(int type);

    /** A hint that follows the message for an unexpected token, or null. */
    default String hint(Token unexpected, IntervalSet expected) {
      return null;
    }

    /** The token that ends a statement, or -1 if the grammar has none. */
    default int terminatorType() {
      return -1;
    }

    /** The tokens at which a statement-level recovery stops: keywords and closers. */
    default IntervalSet recoveryStops() {
      return new IntervalSet();
    }
  }

  static final int MAX_ERRORS = 10;

  private final SourceFile source;
  private final List<Diagnostic> diagnostics;
  private final TokenClasses classes;

  SyntaxErrorStrategy(SourceFile source, List<Diagnostic> diagnostics, TokenClasses classes) {
    this.source = source;
    this.diagnostics = diagnostics;
    this.classes = classes;
  }

  private void report(Span span, String message) {
    boolean duplicate = diagnostics.stream()
        .anyMatch(d -> d.span().line() == span.line() && d.span().column() == span.column());
    if (!duplicate && diagnostics.size() < MAX_ERRORS) {
      diagnostics.add(Diagnostic.error(source, span, message));
    }
  }

  private Span spanOf(Token t) {
    if (t.getType() == Token.EOF) {
      int end = source.text().length();
      return source.span(end, end);
    }
    return source.span(source.charIndex(t.getStartIndex()), source.charIndex(t.getStopIndex() + 1));
  }

  private static String describe(Token t) {
    return t.getType() == Token.EOF ? "end of file" : "'" + t.getText() + "'";
  }

  private String unexpected(Token t, IntervalSet expected) {
    StringBuilder message = new StringBuilder("unexpected ").append(describe(t));
    if (expected != null && !expected.isNil()) {
      message.append(", expected ").append(describeExpected(expected));
      if (classes.isKeyword(t.getType()) && expected.contains(classes.nameType())) {
        message.append(" ('").append(t.getText()).append("' is a reserved word)");
      }
      String hint = classes.hint(t, expected);
      if (hint != null) {
        message.append(" (").append(hint).append(')');
      }
    }
    return message.toString();
  }

  String describeExpected(IntervalSet expected) {
    List<String> parts = new ArrayList<>();
    IntervalSet rest = new IntervalSet(expected);
    rest = takeClass(rest, classes.statementStart(), "a statement", parts);
    rest = takeClass(rest, classes.expressionStart(), "an expression", parts);
    rest = takeClass(rest, classes.operators(), "an operator", parts);
    for (int type : rest.toArray()) {
      if (type != Token.EOF) {
        parts.add(classes.describe(type));
      }
    }
    if (rest.contains(Token.EOF)) {
      parts.add(classes.describe(Token.EOF));
    }
    if (parts.size() == 1) {
      return parts.get(0);
    }
    return String.join(", ", parts.subList(0, parts.size() - 1)) + " or " + parts.get(parts.size() - 1);
  }

  private static IntervalSet takeClass(IntervalSet set, IntervalSet cls, String name, List<String> parts) {
    if (!cls.isNil() && set.and(cls).size() == cls.size()) {
      parts.add(name);
      return set.subtract(cls);
    }
    return set;
  }

  /**
   * A reserved word where only a declared name may go ({@code param let;}) is that name: skip it
   * before resynchronizing, or it would start a statement of its own and give a second error.
   */
  @Override
  public void recover(Parser recognizer, RecognitionException e) {
    Token t = e.getOffendingToken();
    IntervalSet expected = e.getExpectedTokens();
    if (t != null && t == recognizer.getCurrentToken() && classes.isKeyword(t.getType()) && expected != null
        && expected.contains(classes.nameType())
        && expected.and(classes.expressionStart()).subtract(IntervalSet.of(classes.nameType())).isNil()) {
      recognizer.consume();
    }
    skipRestOfStatement(recognizer);
    super.recover(recognizer, e);
  }

  /**
   * After an error inside a statement, drops the rest of it (through its terminator, or up to a
   * keyword or closer): statements may start with an expression, so ANTLR's own resynchronization
   * would take the next name of the broken statement for a new statement and report it again.
   */
  private void skipRestOfStatement(Parser recognizer) {
    int terminator = classes.terminatorType();
    if (terminator < 0) {
      return;
    }
    IntervalSet stops = classes.recoveryStops();
    int type = recognizer.getInputStream().LA(1);
    while (type != Token.EOF && type != terminator && !stops.contains(type)) {
      recognizer.consume();
      type = recognizer.getInputStream().LA(1);
    }
    if (type == terminator) {
      recognizer.consume();
    }
  }

  /**
   * Where a terminator could end the statement and the next token is on a later line, the
   * terminator was forgotten: say so at the end of the line, as a user reads it.
   */
  private boolean reportedMissingTerminator(Parser recognizer, Token t, IntervalSet expected) {
    int terminator = classes.terminatorType();
    if (terminator < 0 || t == null || expected == null || !expected.contains(terminator) || t.getTokenIndex() <= 0) {
      return false;
    }
    Token previous = recognizer.getInputStream().get(t.getTokenIndex() - 1);
    if (previous.getLine() >= t.getLine() && t.getType() != Token.EOF) {
      return false;
    }
    int end = source.charIndex(previous.getStopIndex() + 1);
    report(source.span(end, end), "missing " + classes.describe(terminator) + " after " + describe(previous));
    return true;
  }

  @Override
  protected void reportNoViableAlternative(Parser recognizer, NoViableAltException e) {
    if (reportedMissingTerminator(recognizer, e.getOffendingToken(), e.getExpectedTokens())) {
      return;
    }
    report(spanOf(e.getOffendingToken()), unexpected(e.getOffendingToken(), e.getExpectedTokens()));
  }

  @Override
  protected void reportInputMismatch(Parser recognizer, InputMismatchException e) {
    // the exception's set is that of the state where it was created, which is stale once a
    // sub-rule (an operand expression) has returned; the parser's own set is current
    Token t = e.getOffendingToken();
    IntervalSet expected = t == recognizer.getCurrentToken() ? recognizer.getExpectedTokens() : e.getExpectedTokens();
    if (reportedMissingTerminator(recognizer, t, expected)) {
      return;
    }
    report(spanOf(t), unexpected(t, expected));
  }

  @Override
  protected void reportFailedPredicate(Parser recognizer, FailedPredicateException e) {
    report(spanOf(e.getOffendingToken()), unexpected(e.getOffendingToken(), null));
  }

  @Override
  protected void reportUnwantedToken(Parser recognizer) {
    if (inErrorRecoveryMode(recognizer)) {
      return;
    }
    beginErrorCondition(recognizer);
    Token t = recognizer.getCurrentToken();
    report(spanOf(t), unexpected(t, getExpectedTokens(recognizer)));
  }

  @Override
  protected void reportMissingToken(Parser recognizer) {
    if (inErrorRecoveryMode(recognizer)) {
      return;
    }
    beginErrorCondition(recognizer);
    Token previous = recognizer.getInputStream().LT(-1);
    Token current = recognizer.getCurrentToken();
    String what = describeExpected(getExpectedTokens(recognizer));
    if (previous == null) {
      report(spanOf(current), "missing " + what + " before " + describe(current));
    } else {
      // Point just past the token after which something is missing: for a forgotten ';' at the
      // end of a line that is where the user will type it.
      int end = source.charIndex(previous.getStopIndex() + 1);
      report(source.span(end, end), "missing " + what + " after " + describe(previous));
    }
  }

  /** Token types of a vocabulary that satisfy a predicate, as a set. */
  static IntervalSet typesWhere(Vocabulary vocabulary, IntPredicate predicate) {
    IntervalSet set = new IntervalSet();
    for (int t = 1; t <= vocabulary.getMaxTokenType(); t++) {
      if (predicate.test(t)) {
        set.add(t);
      }
    }
    return set;
  }
}
