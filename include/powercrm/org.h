/* placeholder */
#ifndef POWERCRM_ORG_H
#define POWERCRM_ORG_H
#include <powercrm/common.h>
#endif
