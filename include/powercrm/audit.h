/* placeholder */
#ifndef POWERCRM_AUDIT_H
#define POWERCRM_AUDIT_H
#include <powercrm/common.h>
#endif
