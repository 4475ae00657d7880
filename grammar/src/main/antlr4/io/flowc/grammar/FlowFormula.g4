// Flow formulas (DESIGN.md section 4): flow names joined by '-' (composition, applied left to
// right), each optionally given options in parentheses and repeated with '*K': 'scale-hh*10-loc',
// 'planar*8', 'nsf(bins=8,bound=5,hidden=32,layers=2,act=relu)*4' (spec/neural_flows.md section 7).
//
// PyMC3 lower-cases the formula and deletes spaces before splitting it; the front end does the
// same before lexing (keeping a map back to the user's columns), so the grammar sees neither.
// The rules accept more than is valid (a missing name, a missing or non-integer count, several
// '*') so that the front end, not the parser, explains what is wrong with a part.
grammar FlowFormula;

formula
    : flow (DASH flow)* EOF
    ;

flow
    : name=(NAME | NUMBER)? optionList? repeats+=repeat*
    ;

optionList
    : LPAREN (option (COMMA option)*)? RPAREN
    ;

// a value's sign is part of it, so that 'bound=-1' is refused for its value, not its syntax
option
    : key=NAME EQUALS sign=(DASH | PLUS)? value=(NUMBER | NAME)
    ;

repeat
    : STAR sign=PLUS? value=(NUMBER | NAME)?
    ;

DASH   : '-';
STAR   : '*';
PLUS   : '+';
LPAREN : '(';
RPAREN : ')';
COMMA  : ',';
EQUALS : '=';
NAME   : [a-z_] [a-z0-9_]*;
NUMBER : [0-9]+ ('.' [0-9]*)? ('e' [+-]? [0-9]+)?;
OTHER  : .;
