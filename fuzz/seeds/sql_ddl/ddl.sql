CREATE TABLE t (a TEXT CHECK(json_valid(a)), b "q""x" [br] `bt` -- c
 /* d */ x'0A', CHECK (a IN ('x', "CHECK")));