// Flow formulas (DESIGN.md section 4): flow names joined by '-' (composition, applied left to
// right), each optionally repeated with '*K': 'scale-hh*10-loc', 'planar*8'.
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
    : name=(NAME | NUMBER)? repeats+=repeat*
    ;

repeat
    : STAR sign=PLUS? value=(NUMBER | NAME)?
    ;

DASH   : '-';
STAR   : '*';
PLUS   : '+';
NAME   : [a-z_] [a-z0-9_]*;
NUMBER : [0-9]+ ('.' [0-9]*)? ('e' [+-]? [0-9]+)?;
OTHER  : .;
