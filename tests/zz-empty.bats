load helpers/common
@test "e1" { true; }
@test "e2" { true; }
@test "e3" { true; }
@test "e4" { true; }
@test "e5" { true; }
