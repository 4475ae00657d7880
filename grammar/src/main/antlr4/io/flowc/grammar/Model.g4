// The flowc model language (DESIGN.md section 3).
//
// Precedence, from loosest to tightest: ?: (right), ||, &&, == !=, < <= > >=, + -, * /,
// unary - + !, ^ (right), indexing and transposition (A'), primary. '^' binding tighter than unary minus makes
// -2^2 == -4, as in mathematics and Python; 2^3^2 == 2^9.
grammar Model;

model
    : MODEL name=IDENT LBRACE statement* RBRACE EOF
    ;

statement
    : DATA type=(INT | REAL) name=IDENT (LBRACK dims+=expr (COMMA dims+=expr)? RBRACK)? SEMI # dataDecl
    | PARAM name=IDENT (LBRACK size=expr RBRACK)? constraint? SEMI                           # paramDecl
    | LET name=IDENT ASSIGN value=expr SEMI                                                 # letDecl
    | DERIVED name=IDENT ASSIGN value=expr SEMI                                             # derivedDecl
    | FN name=IDENT LPAREN (params+=IDENT (COMMA params+=IDENT)*)? RPAREN ASSIGN body=expr SEMI # fnDecl
    | POTENTIAL value=expr SEMI                                                             # potentialStmt
    | LOGP PLUS_ASSIGN value=expr SEMI                                                      # logpStmt
    | target=expr TILDE dist=IDENT LPAREN (args+=expr (COMMA args+=expr)*)? RPAREN SEMI      # samplingStmt
    | STATE name=IDENT ASSIGN value=expr SEMI                                               # stateDecl
    | name=IDENT ASSIGN value=expr SEMI                                                     # assignStmt
    | FOR index=IDENT IN from=expr COLON to=expr LBRACE body+=statement* RBRACE             # forLoop
    ;

// Bounds of a parameter, sampled on the unconstrained scale: '> 0', '< 1', 'in (0, 1)'; or the
// transform 'ordered' (Stan's ordered vector). A keyword, not a name: after 'param z[2]' a name
// on the next line is the next statement's, and a forgotten ';' is reported as such.
constraint
    : GT lower=expr
    | LT upper=expr
    | IN LPAREN lower=expr COMMA upper=expr RPAREN
    | transform=ORDERED
    ;

expr
    : primary                                                          # primaryExpr
    | target=expr LBRACK index=expr (COLON end=expr)? RBRACK           # indexExpr
    | target=expr APOSTROPHE                                           # transposeExpr
    | <assoc=right> left=expr op=CARET right=expr                      # powExpr
    | op=(MINUS | PLUS | BANG) operand=expr                            # unaryExpr
    | left=expr op=(STAR | SLASH) right=expr                           # mulExpr
    | left=expr op=(PLUS | MINUS) right=expr                           # addExpr
    | left=expr op=(LT | LE | GT | GE) right=expr                      # compareExpr
    | left=expr op=(EQ | NE) right=expr                                # equalityExpr
    | left=expr op=AND right=expr                                      # andExpr
    | left=expr op=OR right=expr                                       # orExpr
    | <assoc=right> cond=expr QUESTION then=expr COLON otherwise=expr  # conditionalExpr
    ;

primary
    : NUMBER                                                           # numberLit
    | name=IDENT LPAREN (args+=expr (COMMA args+=expr)*)? RPAREN       # callExpr
    | name=IDENT                                                       # identExpr
    | LBRACK elements+=expr (COMMA elements+=expr)* RBRACK             # vectorLit
    | LPAREN inner=expr RPAREN                                         # parenExpr
    ;

MODEL       : 'model';
PARAM       : 'param';
LET         : 'let';
DERIVED     : 'derived';
ORDERED     : 'ordered';
FN          : 'fn';
POTENTIAL   : 'potential';
LOGP        : 'logp';
IN          : 'in';
DATA        : 'data';
INT         : 'int';
REAL        : 'real';
STATE       : 'state';
FOR         : 'for';

PLUS_ASSIGN : '+=';
LE          : '<=';
GE          : '>=';
EQ          : '==';
NE          : '!=';
AND         : '&&';
OR          : '||';
ASSIGN      : '=';
LT          : '<';
GT          : '>';
BANG        : '!';
PLUS        : '+';
MINUS       : '-';
STAR        : '*';
SLASH       : '/';
CARET       : '^';
QUESTION    : '?';
COLON       : ':';
TILDE       : '~';
APOSTROPHE  : '\'';
SEMI        : ';';
COMMA       : ',';
LPAREN      : '(';
RPAREN      : ')';
LBRACK      : '[';
RBRACK      : ']';
LBRACE      : '{';
RBRACE      : '}';

NUMBER
    : DIGITS ('.' DIGITS?)? EXPONENT?
    | '.' DIGITS EXPONENT?
    ;

IDENT       : [a-zA-Z] [a-zA-Z0-9_]*;

LINE_COMMENT         : '//' ~[\r\n]* -> skip;
BLOCK_COMMENT        : '/*' .*? '*/' -> skip;
// A comment that never closes cannot contain '*/'; matching it whole gives one clear error
// instead of a cascade of '/' and '*' tokens.
UNTERMINATED_COMMENT : '/*' (~'*' | '*'+ ~[*/])* '*'* EOF;
WS                   : [ \t\r\n\f]+ -> skip;

fragment DIGITS   : [0-9]+;
fragment EXPONENT : [eE] [+-]? DIGITS;
