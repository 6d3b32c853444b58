#include "tel_fixture.h"
Test(ivr, placeholder_compiles) { cr_assert(1); }
