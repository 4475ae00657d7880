package io.flowc.compiler.frontend;

import io.flowc.compiler.frontend.Ast.Binary;
import io.flowc.compiler.frontend.Ast.Call;
import io.flowc.compiler.frontend.Ast.Conditional;
import io.flowc.compiler.frontend.Ast.Contribution;
import io.flowc.compiler.frontend.Ast.Expr;
import io.flowc.compiler.frontend.Ast.FnDecl;
import io.flowc.compiler.frontend.Ast.Ident;
import io.flowc.compiler.frontend.Ast.Index;
import io.flowc.compiler.frontend.Ast.LetDecl;
import io.flowc.compiler.frontend.Ast.Num;
import io.flowc.compiler.frontend.Ast.ParamDecl;
import io.flowc.compiler.frontend.Ast.Statement;
import io.flowc.compiler.frontend.Ast.Unary;
import io.flowc.compiler.frontend.Ast.VectorLit;
import java.util.stream.Collectors;

/** Prints a syntax tree as S-expressions, one statement a line: the form the parse corpus pins. */
public final class AstPrinter {
  private AstPrinter() {}

  public static String print(Ast.Model model) {
    StringBuilder out = new StringBuilder("(model ").append(model.name().text());
    for (Statement s : model.statements()) {
      out.append("\n  ").append(print(s));
    }
    return out.append(")\n").toString();
  }

  public static String print(Statement s) {
    if (s instanceof Ast.DataDecl d) {
      return "(data " + (d.integer() ? "int " : "real ") + d.name().text()
          + d.dims().stream().map(x -> " " + print(x)).collect(Collectors.joining()) + ")";
    }
    if (s instanceof ParamDecl p) {
      return "(param " + p.name().text() + (p.size() == null ? "" : " " + print(p.size()))
          + (p.lower() == null ? "" : " (lower " + print(p.lower()) + ")")
          + (p.upper() == null ? "" : " (upper " + print(p.upper()) + ")")
          + (p.transform() == null ? "" : " (" + p.transform().text() + ")") + ")";
    } else if (s instanceof LetDecl l) {
      return "(" + (l.derived() ? "derived " : "let ") + l.name().text() + " " + print(l.value()) + ")";
    } else if (s instanceof FnDecl f) {
      return "(fn " + f.name().text() + " ("
          + f.params().stream().map(Ast.Name::text).collect(Collectors.joining(" ")) + ") "
          + print(f.body()) + ")";
    } else if (s instanceof Ast.StateDecl st) {
      return "(state " + st.name().text() + " " + print(st.value()) + ")";
    } else if (s instanceof Ast.Assign a) {
      return "(assign " + a.name().text() + " " + print(a.value()) + ")";
    } else if (s instanceof Ast.Loop loop) {
      return "(for " + loop.index().text() + " " + print(loop.from()) + " " + print(loop.to())
          + loop.body().stream().map(b -> " " + print(b)).collect(Collectors.joining()) + ")";
    } else {
      Contribution c = (Contribution) s;
      return "(" + (c.kind() == Ast.ContributionKind.POTENTIAL ? "potential" : "logp") + " "
          + print(c.value()) + ")";
    }
  }

  public static String print(Expr e) {
    if (e instanceof Num n) {
      return n.text();
    } else if (e instanceof Ident i) {
      return i.name();
    } else if (e instanceof Unary u) {
      return "(" + Ast.printName(u.op()) + " " + print(u.operand()) + ")";
    } else if (e instanceof Binary b) {
      return "(" + b.op().symbol + " " + print(b.left()) + " " + print(b.right()) + ")";
    } else if (e instanceof Conditional c) {
      return "(? " + print(c.cond()) + " " + print(c.then()) + " " + print(c.otherwise()) + ")";
    } else if (e instanceof Call c) {
      StringBuilder out = new StringBuilder("(call ").append(c.name());
      c.args().forEach(a -> out.append(' ').append(print(a)));
      return out.append(')').toString();
    } else if (e instanceof Index i) {
      return "(index " + print(i.target()) + " " + print(i.index()) + ")";
    } else {
      StringBuilder out = new StringBuilder("(vector");
      ((VectorLit) e).elements().forEach(a -> out.append(' ').append(print(a)));
      return out.append(')').toString();
    }
  }
}
