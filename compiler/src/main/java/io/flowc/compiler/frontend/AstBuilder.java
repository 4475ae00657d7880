package io.flowc.compiler.frontend;

import io.flowc.compiler.diag.Diagnostic;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.diag.Span;
import io.flowc.compiler.frontend.Ast.Expr;
import io.flowc.grammar.ModelBaseVisitor;
import io.flowc.grammar.ModelParser;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;

/** Turns a syntax-error-free parse tree into the immutable {@link Ast}. */
final class AstBuilder extends ModelBaseVisitor<Object> {
  private final SourceFile source;
  private final List<Diagnostic> diagnostics;

  AstBuilder(SourceFile source, List<Diagnostic> diagnostics) {
    this.source = source;
    this.diagnostics = diagnostics;
  }

  Ast.Model build(ModelParser.ModelContext ctx) {
    List<Ast.Statement> statements = new ArrayList<>();
    for (ModelParser.StatementContext s : ctx.statement()) {
      try {
        statements.add((Ast.Statement) visit(s));
      } catch (StackOverflowError e) {
        // a backstop: ModelParsing refuses trees deeper than this stack needs
        diagnostics.add(Diagnostic.error(source, span(s.start), ModelParsing.TOO_DEEP));
      }
    }
    return new Ast.Model(name(ctx.name), statements, source, span(ctx));
  }

  private Span span(ParserRuleContext ctx) {
    Token stop = ctx.stop != null && ctx.stop.getStopIndex() >= ctx.start.getStartIndex() ? ctx.stop : ctx.start;
    return source.span(source.charIndex(ctx.start.getStartIndex()), source.charIndex(stop.getStopIndex() + 1));
  }

  private Span span(Token t) {
    return source.span(source.charIndex(t.getStartIndex()), source.charIndex(t.getStopIndex() + 1));
  }

  private Ast.Name name(Token t) {
    return new Ast.Name(t.getText(), span(t));
  }

  private Expr expr(ModelParser.ExprContext ctx) {
    return (Expr) visit(ctx);
  }

  @Override
  public Object visitDataDecl(ModelParser.DataDeclContext ctx) {
    return new Ast.DataDecl(name(ctx.name), ctx.type.getType() == ModelParser.INT,
        ctx.dims.stream().map(this::expr).toList(), span(ctx));
  }

  @Override
  public Object visitParamDecl(ModelParser.ParamDeclContext ctx) {
    ModelParser.ConstraintContext bounds = ctx.constraint();
    Expr lower = bounds == null || bounds.lower == null ? null : expr(bounds.lower);
    Expr upper = bounds == null || bounds.upper == null ? null : expr(bounds.upper);
    Ast.Name transform = bounds == null || bounds.transform == null ? null : name(bounds.transform);
    return new Ast.ParamDecl(name(ctx.name), ctx.size == null ? null : expr(ctx.size), lower, upper, transform,
        span(ctx));
  }

  @Override
  public Object visitDerivedDecl(ModelParser.DerivedDeclContext ctx) {
    return new Ast.LetDecl(name(ctx.name), expr(ctx.value), true, span(ctx));
  }

  @Override
  public Object visitLetDecl(ModelParser.LetDeclContext ctx) {
    return new Ast.LetDecl(name(ctx.name), expr(ctx.value), span(ctx));
  }

  @Override
  public Object visitFnDecl(ModelParser.FnDeclContext ctx) {
    return new Ast.FnDecl(name(ctx.name), ctx.params.stream().map(this::name).toList(), expr(ctx.body), span(ctx));
  }

  @Override
  public Object visitPotentialStmt(ModelParser.PotentialStmtContext ctx) {
    return new Ast.Contribution(Ast.ContributionKind.POTENTIAL, expr(ctx.value), span(ctx));
  }

  @Override
  public Object visitLogpStmt(ModelParser.LogpStmtContext ctx) {
    return new Ast.Contribution(Ast.ContributionKind.LOGP, expr(ctx.value), span(ctx));
  }

  /**
   * {@code y ~ normal(mu, sigma);} is {@code logp += normal_lpdf(y, mu, sigma);}: the full
   * log density, normalizing constants included (as PyMC3's logp; Stan's {@code ~} drops them),
   * so that log Z and KL figures mean the same with either spelling.
   */
  @Override
  public Object visitSamplingStmt(ModelParser.SamplingStmtContext ctx) {
    List<Expr> args = new ArrayList<>();
    args.add(expr(ctx.target));
    ctx.args.forEach(a -> args.add(expr(a)));
    String density = Builtin.densityOf(ctx.dist.getText());
    Expr call = new Ast.Call(density, span(ctx.dist), args, span(ctx), true);
    return new Ast.Contribution(Ast.ContributionKind.LOGP, call, span(ctx));
  }

  @Override
  public Object visitStateDecl(ModelParser.StateDeclContext ctx) {
    return new Ast.StateDecl(name(ctx.name), expr(ctx.value), span(ctx));
  }

  @Override
  public Object visitAssignStmt(ModelParser.AssignStmtContext ctx) {
    return new Ast.Assign(name(ctx.name), expr(ctx.value), span(ctx));
  }

  @Override
  public Object visitForLoop(ModelParser.ForLoopContext ctx) {
    List<Ast.Statement> body = new ArrayList<>();
    ctx.body.forEach(s -> body.add((Ast.Statement) visit(s)));
    return new Ast.Loop(name(ctx.index), expr(ctx.from), expr(ctx.to), body, span(ctx));
  }

  @Override
  public Object visitPrimaryExpr(ModelParser.PrimaryExprContext ctx) {
    return visit(ctx.primary());
  }

  @Override
  public Object visitIndexExpr(ModelParser.IndexExprContext ctx) {
    if (ctx.end != null) {
      // v[a:b], a window of a vector (docs/language.md, "Loops over time"): a call no model can name
      return new Ast.Call(Ast.WINDOW, span(ctx.COLON().getSymbol()), List.of(expr(ctx.target), expr(ctx.index),
          expr(ctx.end)), span(ctx));
    }
    return new Ast.Index(expr(ctx.target), expr(ctx.index), span(ctx));
  }

  /** {@code A'} is Stan's transpose: the call {@code transpose(A)}, its name at the apostrophe. */
  @Override
  public Object visitTransposeExpr(ModelParser.TransposeExprContext ctx) {
    return new Ast.Call("transpose", span(ctx.APOSTROPHE().getSymbol()), List.of(expr(ctx.target)), span(ctx));
  }

  @Override
  public Object visitPowExpr(ModelParser.PowExprContext ctx) {
    return binary(Ast.BinaryOp.POW, ctx.left, ctx.op, ctx.right, ctx);
  }

  @Override
  public Object visitUnaryExpr(ModelParser.UnaryExprContext ctx) {
    Ast.UnaryOp op = switch (ctx.op.getType()) {
      case ModelParser.MINUS -> Ast.UnaryOp.NEG;
      case ModelParser.PLUS -> Ast.UnaryOp.PLUS;
      default -> Ast.UnaryOp.NOT;
    };
    return new Ast.Unary(op, expr(ctx.operand), span(ctx));
  }

  @Override
  public Object visitMulExpr(ModelParser.MulExprContext ctx) {
    return binary(ctx.op.getType() == ModelParser.STAR ? Ast.BinaryOp.MUL : Ast.BinaryOp.DIV,
        ctx.left, ctx.op, ctx.right, ctx);
  }

  @Override
  public Object visitAddExpr(ModelParser.AddExprContext ctx) {
    return binary(ctx.op.getType() == ModelParser.PLUS ? Ast.BinaryOp.ADD : Ast.BinaryOp.SUB,
        ctx.left, ctx.op, ctx.right, ctx);
  }

  @Override
  public Object visitCompareExpr(ModelParser.CompareExprContext ctx) {
    Ast.BinaryOp op = switch (ctx.op.getType()) {
      case ModelParser.LT -> Ast.BinaryOp.LT;
      case ModelParser.LE -> Ast.BinaryOp.LE;
      case ModelParser.GT -> Ast.BinaryOp.GT;
      default -> Ast.BinaryOp.GE;
    };
    return binary(op, ctx.left, ctx.op, ctx.right, ctx);
  }

  @Override
  public Object visitEqualityExpr(ModelParser.EqualityExprContext ctx) {
    return binary(ctx.op.getType() == ModelParser.EQ ? Ast.BinaryOp.EQ : Ast.BinaryOp.NE,
        ctx.left, ctx.op, ctx.right, ctx);
  }

  @Override
  public Object visitAndExpr(ModelParser.AndExprContext ctx) {
    return binary(Ast.BinaryOp.AND, ctx.left, ctx.op, ctx.right, ctx);
  }

  @Override
  public Object visitOrExpr(ModelParser.OrExprContext ctx) {
    return binary(Ast.BinaryOp.OR, ctx.left, ctx.op, ctx.right, ctx);
  }

  private Expr binary(Ast.BinaryOp op, ModelParser.ExprContext left, Token opToken,
      ModelParser.ExprContext right, ParserRuleContext ctx) {
    return new Ast.Binary(op, expr(left), expr(right), span(opToken), span(ctx));
  }

  @Override
  public Object visitConditionalExpr(ModelParser.ConditionalExprContext ctx) {
    return new Ast.Conditional(expr(ctx.cond), expr(ctx.then), expr(ctx.otherwise), span(ctx));
  }

  @Override
  public Object visitNumberLit(ModelParser.NumberLitContext ctx) {
    String text = ctx.getText();
    double value = Double.parseDouble(text);
    Span span = span(ctx);
    if (Double.isInfinite(value)) {
      diagnostics.add(Diagnostic.error(source, span, "number " + text + " is too large for a double"));
    }
    return new Ast.Num(value, text, span);
  }

  @Override
  public Object visitCallExpr(ModelParser.CallExprContext ctx) {
    List<Expr> args = ctx.args.stream().map(this::expr).toList();
    return new Ast.Call(ctx.name.getText(), span(ctx.name), args, span(ctx));
  }

  @Override
  public Object visitIdentExpr(ModelParser.IdentExprContext ctx) {
    return new Ast.Ident(ctx.name.getText(), span(ctx));
  }

  @Override
  public Object visitVectorLit(ModelParser.VectorLitContext ctx) {
    return new Ast.VectorLit(ctx.elements.stream().map(this::expr).toList(), span(ctx));
  }

  @Override
  public Object visitParenExpr(ModelParser.ParenExprContext ctx) {
    return visit(ctx.inner);
  }
}
