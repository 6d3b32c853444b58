#include "tel_fixture.h"
Test(flows, placeholder_compiles) { cr_assert(1); }
