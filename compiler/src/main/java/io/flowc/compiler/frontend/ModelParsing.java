package io.flowc.compiler.frontend;

import io.flowc.compiler.diag.Diagnostic;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.grammar.ModelLexer;
import io.flowc.grammar.ModelParser;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.LexerNoViableAltException;
import org.antlr.v4.runtime.ListTokenSource;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;
import org.antlr.v4.runtime.tree.ParseTree;

/**
 * The parser facade: model text to {@link Ast.Model}, or syntax diagnostics. Nothing reaches the
 * console, and no input makes it throw: over-deep nesting is refused up front (and a stack
 * overflow from a pathological chain is turned into a diagnostic as a last resort).
 */
public final class ModelParsing {
  /** Bracket nesting beyond any hand-written model; keeps every later recursive pass safe. */
  public static final int MAX_NESTING = 200;

  /**
   * Depth of an expression tree (a chain {@code a + b + ... } of n terms is n deep) beyond which
   * a model is refused: every later pass walks trees recursively on an ordinary thread stack.
   */
  public static final int MAX_EXPRESSION_DEPTH = 1000;

  static final String TOO_DEEP = "expression is nested too deeply (more than " + MAX_EXPRESSION_DEPTH
      + " levels); split it with 'let' or use sum()";

  private static final Set<Integer> KEYWORDS = Set.of(ModelLexer.MODEL, ModelLexer.PARAM,
      ModelLexer.LET, ModelLexer.FN, ModelLexer.POTENTIAL, ModelLexer.LOGP, ModelLexer.IN, ModelLexer.DATA,
      ModelLexer.INT, ModelLexer.REAL, ModelLexer.DERIVED, ModelLexer.ORDERED, ModelLexer.STATE, ModelLexer.FOR);

  private static final SyntaxErrorStrategy.TokenClasses CLASSES = new SyntaxErrorStrategy.TokenClasses() {
    private final IntervalSet expressionStart = IntervalSet.of(ModelLexer.NUMBER, ModelLexer.NUMBER)
        .or(IntervalSet.of(ModelLexer.IDENT)).or(IntervalSet.of(ModelLexer.LPAREN))
        .or(IntervalSet.of(ModelLexer.LBRACK)).or(IntervalSet.of(ModelLexer.MINUS))
        .or(IntervalSet.of(ModelLexer.PLUS)).or(IntervalSet.of(ModelLexer.BANG));
    private final IntervalSet operators = SyntaxErrorStrategy.typesWhere(ModelLexer.VOCABULARY,
        t -> Set.of(ModelLexer.PLUS, ModelLexer.MINUS, ModelLexer.STAR, ModelLexer.SLASH,
            ModelLexer.CARET, ModelLexer.LT, ModelLexer.LE, ModelLexer.GT, ModelLexer.GE,
            ModelLexer.EQ, ModelLexer.NE, ModelLexer.AND, ModelLexer.OR, ModelLexer.QUESTION,
            ModelLexer.LBRACK).contains(t));
    // a sampling statement ('y ~ normal(0, 1);') starts with an expression
    private final IntervalSet statementStart = SyntaxErrorStrategy.typesWhere(ModelLexer.VOCABULARY,
        t -> KEYWORDS.contains(t) && t != ModelLexer.MODEL && t != ModelLexer.IN && t != ModelLexer.INT
            && t != ModelLexer.REAL && t != ModelLexer.ORDERED).or(expressionStart);

    @Override
    public IntervalSet expressionStart() {
      return expressionStart;
    }

    @Override
    public IntervalSet operators() {
      return operators;
    }

    @Override
    public IntervalSet statementStart() {
      return statementStart;
    }

    @Override
    public String hint(Token unexpected, IntervalSet expected) {
      return unexpected.getType() == ModelLexer.ASSIGN && expected.contains(ModelLexer.TILDE)
          ? "'=' does not assign: name a value with 'let NAME = ...;'" : null;
    }

    @Override
    public int terminatorType() {
      return ModelLexer.SEMI;
    }

    @Override
    public IntervalSet recoveryStops() {
      return SyntaxErrorStrategy.typesWhere(ModelLexer.VOCABULARY,
          t -> (KEYWORDS.contains(t) && t != ModelLexer.IN && t != ModelLexer.INT && t != ModelLexer.REAL
              && t != ModelLexer.ORDERED)
              || t == ModelLexer.RBRACE);
    }

    @Override
    public boolean isKeyword(int type) {
      return KEYWORDS.contains(type);
    }

    @Override
    public int nameType() {
      return ModelLexer.IDENT;
    }

    @Override
    public String describe(int type) {
      return switch (type) {
        case Token.EOF -> "end of file";
        case ModelLexer.IDENT -> "a name";
        case ModelLexer.NUMBER -> "a number";
        default -> ModelLexer.VOCABULARY.getLiteralName(type);
      };
    }
  };

  private ModelParsing() {}

  /** The outcome of parsing: a tree when {@code diagnostics} has no error. */
  public record Result(Ast.Model model, List<Diagnostic> diagnostics) {
    public boolean ok() {
      return model != null && diagnostics.isEmpty();
    }
  }

  public static Result parse(SourceFile source) {
    List<Diagnostic> diagnostics = new ArrayList<>();
    List<Token> tokens = lex(source, diagnostics);
    if (!diagnostics.isEmpty() || !nestingWithinLimit(source, tokens, diagnostics)) {
      return new Result(null, diagnostics);
    }
    CommonTokenStream stream = new CommonTokenStream(new ListTokenSource(tokens));
    ModelParser parser = new ModelParser(stream);
    parser.removeErrorListeners();
    parser.setErrorHandler(new SyntaxErrorStrategy(source, diagnostics, CLASSES));
    try {
      ModelParser.ModelContext tree = parser.model();
      if (!diagnostics.isEmpty() || !depthWithinLimit(source, tree, diagnostics)) {
        return new Result(null, diagnostics);
      }
      Ast.Model model = new AstBuilder(source, diagnostics).build(tree);
      return new Result(diagnostics.isEmpty() ? model : null, diagnostics);
    } catch (StackOverflowError e) {
      Token at = stream.LT(1);
      int start = source.charIndex(Math.max(0, at.getStartIndex()));
      diagnostics.add(Diagnostic.error(source, source.span(start, start + 1), TOO_DEEP));
      return new Result(null, diagnostics);
    }
  }

  private static List<Token> lex(SourceFile source, List<Diagnostic> diagnostics) {
    ModelLexer lexer = new ModelLexer(CharStreams.fromString(source.text(), source.name()));
    lexer.removeErrorListeners();
    lexer.addErrorListener(new BaseErrorListener() {
      @Override
      public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line,
          int charPositionInLine, String msg, RecognitionException e) {
        int start = source.charIndex(((LexerNoViableAltException) e).getStartIndex());
        int end = Math.min(source.text().length(), start + Character.charCount(source.text().codePointAt(start)));
        if (diagnostics.size() < SyntaxErrorStrategy.MAX_ERRORS) {
          diagnostics.add(Diagnostic.error(source, source.span(start, end),
              "unexpected character " + quoteChar(source.text().codePointAt(start))));
        }
      }
    });
    List<Token> tokens = new ArrayList<>();
    for (Token t = lexer.nextToken(); ; t = lexer.nextToken()) {
      if (t.getType() == ModelLexer.UNTERMINATED_COMMENT) {
        int start = source.charIndex(t.getStartIndex());
        diagnostics.add(Diagnostic.error(source, source.span(start, start + 2),
            "unterminated comment: '/*' has no matching '*/'"));
        continue;
      }
      tokens.add(t);
      if (t.getType() == Token.EOF) {
        return tokens;
      }
    }
  }

  private static String quoteChar(int codePoint) {
    // invisible or unprintable on its own: control and format characters (a byte-order mark),
    // spaces (a no-break space) and unpaired surrogates are named by their code
    int type = Character.getType(codePoint);
    if (type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
        || Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint)) {
      return String.format("U+%04X", codePoint);
    }
    return "'" + new String(Character.toChars(codePoint)) + "'";
  }

  /**
   * Finds, without recursion, the first expression nested deeper than the limit. The stack is
   * arrays of rules (tokens have no children): a fresh process walks every parse tree interpreted.
   */
  private static boolean depthWithinLimit(SourceFile source, ParseTree tree, List<Diagnostic> diagnostics) {
    if (!(tree instanceof ParserRuleContext root)) {
      return true;
    }
    ParserRuleContext[] nodes = new ParserRuleContext[64];
    int[] depths = new int[64];
    int top = 0;
    nodes[top++] = root;
    while (top > 0) {
      ParserRuleContext node = nodes[--top];
      int depth = depths[top];
      if (node instanceof ModelParser.ExprContext expr) {
        depth++;
        if (depth > MAX_EXPRESSION_DEPTH) {
          int start = source.charIndex(expr.start.getStartIndex());
          diagnostics.add(Diagnostic.error(source, source.span(start, start + 1), TOO_DEEP));
          return false;
        }
      }
      List<ParseTree> children = node.children;
      for (int i = children == null ? -1 : children.size() - 1; i >= 0; i--) {
        if (children.get(i) instanceof ParserRuleContext child) {
          if (top == nodes.length) {
            nodes = Arrays.copyOf(nodes, 2 * top);
            depths = Arrays.copyOf(depths, 2 * top);
          }
          nodes[top] = child;
          depths[top++] = depth;
        }
      }
    }
    return true;
  }

  private static boolean nestingWithinLimit(SourceFile source, List<Token> tokens, List<Diagnostic> diagnostics) {
    int depth = 0;
    for (Token t : tokens) {
      int type = t.getType();
      if (type == ModelLexer.LPAREN || type == ModelLexer.LBRACK) {
        if (++depth > MAX_NESTING) {
          int start = source.charIndex(t.getStartIndex());
          diagnostics.add(Diagnostic.error(source, source.span(start, start + 1),
              "brackets nested too deeply (more than " + MAX_NESTING + " levels); split the expression with 'let'"));
          return false;
        }
      } else if (type == ModelLexer.RPAREN || type == ModelLexer.RBRACK) {
        depth = Math.max(0, depth - 1);
      }
    }
    return true;
  }
}
