/*
 * libpowercrm - umbrella header: include this one to get the whole public API.
 */
#ifndef POWERCRM_H
#define POWERCRM_H

#include <powercrm/common.h>
#include <powercrm/decimal.h>
#include <powercrm/time.h>
#include <powercrm/calendar.h>
#include <powercrm/actor.h>
#include <powercrm/ctx.h>
#include <powercrm/trace.h>
#include <powercrm/org.h>
#include <powercrm/audit.h>
#include <powercrm/customer.h>
#include <powercrm/metering.h>
#include <powercrm/contact.h>
#include <powercrm/ledger.h>
#include <powercrm/staffing.h>
#include <powercrm/workflow.h>
#include <powercrm/tariff.h>
#include <powercrm/urdb.h>
#include <powercrm/billing.h>
#include <powercrm/acd.h>
#include <powercrm/call_record.h>
#include <powercrm/telephony.h>
#include <powercrm/sim.h>
#include <powercrm/complaint.h>
#include <powercrm/complaint_report.h>
#include <powercrm/kb.h>
#include <powercrm/ivr.h>
#include <powercrm/outbound.h>
#include <powercrm/dialler.h>

#endif /* POWERCRM_H */
