#include "acd_fixture.h"
