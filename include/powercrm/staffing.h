/* placeholder */
#ifndef POWERCRM_STAFFING_H
#define POWERCRM_STAFFING_H
#include <powercrm/common.h>
#endif
