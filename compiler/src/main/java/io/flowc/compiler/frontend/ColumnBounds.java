package io.flowc.compiler.frontend;

import io.flowc.compiler.frontend.Ast.Binary;
import io.flowc.compiler.frontend.Ast.Expr;
import io.flowc.compiler.frontend.Ast.Ident;
import io.flowc.compiler.frontend.Ast.Num;
import java.util.function.ToIntFunction;

/** The bounds of {@code cols(M, from, to)}, read the one way the lowering and the interpreter share. */
public final class ColumnBounds {
  private ColumnBounds() {}

  /**
   * A bound's value: an integer literal or a {@code data int} (its value from {@code dataInt}), plus or
   * minus a literal; ModelChecker admits no other form.
   */
  public static int value(Expr e, ToIntFunction<String> dataInt) {
    int shift = 0;
    if (e instanceof Binary b) {
      int k = Integer.parseInt(((Num) b.right()).text());
      shift = b.op() == Ast.BinaryOp.ADD ? k : -k;
      e = b.left();
    }
    if (e instanceof Num n) {
      return Integer.parseInt(n.text()) + shift;
    }
    return dataInt.applyAsInt(((Ident) e).name()) + shift;
  }
}
