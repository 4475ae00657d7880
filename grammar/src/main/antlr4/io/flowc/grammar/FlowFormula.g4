// Flow formulas (DESIGN.md section 4): flow names joined by '-' (composition, applied left to
// right), each optionally repeated with '*K': 'scale-hh*10-loc', 'planar*8'.
//
// PyMC3 lower-cases the formula and deletes spaces before splitting it; the front end does the
// same before lexing (keeping a map back to the user's columns), so the grammar sees neither.
grammar FlowFormula;

formula
    : flow (DASH flow)* EOF
    ;

flow
    : name=NAME (STAR count=COUNT)?
    ;

DASH  : '-';
STAR  : '*';
NAME  : [a-z_] [a-z0-9_]*;
COUNT : [0-9]+;
