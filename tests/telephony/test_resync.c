#include "tel_fixture.h"
Test(resync, placeholder_compiles) { cr_assert(1); }
