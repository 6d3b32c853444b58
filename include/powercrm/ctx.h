/* placeholder */
#ifndef POWERCRM_CTX_H
#define POWERCRM_CTX_H
#include <powercrm/common.h>
#endif
