#include "tel_fixture.h"
Test(requests, placeholder_compiles) { cr_assert(1); }
