/*
 * libpowercrm - actors, roles and permissions.
 *
 * Every operation that reads or changes archived data is performed by an
 * actor: an operator (人员代码) acting in one role at one level inside one org
 * unit.  The roles are those of a utility's customer service center:
 * administrator (管理员), agent (业务员), data clerk (资料员) and monitor
 * (监听员); the same operator id may hold several roles, each used as a
 * separate actor.  Levels 1 (junior) .. PCRM_LEVEL_MAX (senior) grade what a
 * role may do; levels overlap.
 *
 * pcrm_actor_can() answers the role/level question alone.  Whether the
 * target lies inside the actor's org subtree is answered by pcrm_authorize()
 * (org.h), which modules call before every operation.
 */
#ifndef POWERCRM_ACTOR_H
#define POWERCRM_ACTOR_H

#include <powercrm/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pcrm_role {
	PCRM_ROLE_ADMIN = 1,      /**< 管理员: runs the service center itself */
	PCRM_ROLE_AGENT = 2,      /**< 业务员: serves customers directly */
	PCRM_ROLE_DATA_CLERK = 3, /**< 资料员: maintains the archives */
	PCRM_ROLE_MONITOR = 4,    /**< 监听员: supervises, listens in, reviews afterwards */
	PCRM_ROLE_SYSTEM = 5      /**< the library or an integrator's batch job acting on its own */
} pcrm_role;

#define PCRM_LEVEL_MIN 1
#define PCRM_LEVEL_MAX 3

/** What an actor wants to do.  Values are stable; new ones are appended. */
typedef enum pcrm_permission {
	PCRM_PERM_ORG_READ = 1,        /**< read org units */
	PCRM_PERM_ORG_WRITE,           /**< create or rename org units */
	PCRM_PERM_ARCHIVE_READ,        /**< read customer archives */
	PCRM_PERM_ARCHIVE_WRITE,       /**< create or change customer archives */
	PCRM_PERM_PII_READ,            /**< see unmasked personal identifiers */
	PCRM_PERM_TARIFF_WRITE,        /**< publish tariff versions */
	PCRM_PERM_BILLING_RUN,         /**< run billing, post payments */
	PCRM_PERM_WORKORDER_HANDLE,    /**< open and work on work orders */
	PCRM_PERM_WORKORDER_SUPERVISE, /**< remind, escalate, withdraw, reassign */
	PCRM_PERM_CALL_MONITOR,        /**< listen in on calls, read call records */
	PCRM_PERM_AUDIT_READ,          /**< read and verify the audit log */
	PCRM_PERM_AUDIT_WRITE,         /**< append integrator-defined audit entries */
	PCRM_PERM_CONTACT_WRITE,       /**< record an interaction in a customer's contact history */
	PCRM_PERM_PAYMENT_POST,        /**< post a payment (counter, online, bank) to a ledger */
	PCRM_PERM_LEDGER_ADJUST,       /**< post refunds and adjustments, void bills */
	PCRM_PERM_BANK_RECONCILE,      /**< reconcile a bank's daily statement */
	PCRM_PERM_KB_READ,             /**< read and search knowledge-base articles */
	PCRM_PERM_KB_WRITE,            /**< write knowledge-base drafts */
	PCRM_PERM_KB_APPROVE,          /**< approve and retire knowledge-base articles */
	PCRM_PERM_CAMPAIGN_WRITE       /**< create and queue outbound campaigns (outbound.h) */
} pcrm_permission;

/**
 * Who performs an operation.  A plain struct the caller fills in; the library
 * copies what it keeps, the strings need only live during the call.
 */
typedef struct pcrm_actor {
	const char *operator_id; /**< 人员代码: 1..64 printable characters */
	pcrm_role role;
	int level;               /**< PCRM_LEVEL_MIN .. PCRM_LEVEL_MAX */
	const char *org_unit;    /**< code of the org unit the actor works in */
} pcrm_actor;

/**
 * Checks that an actor is well formed.  PCRM_EINVAL names the bad field
 * ("actor.level: 7 is outside 1..3").
 */
PCRM_EXTERN(int) pcrm_actor_validate(const pcrm_actor *actor);

/**
 * Nonzero when the actor's role and level allow `permission` (ignoring org
 * scope).  A malformed actor is never allowed anything.
 */
PCRM_EXTERN(int) pcrm_actor_can(const pcrm_actor *actor, pcrm_permission permission);

/** The lowest level of `role` that holds `permission`, or 0 when the role never does. */
PCRM_EXTERN(int) pcrm_role_min_level(pcrm_role role, pcrm_permission permission);

/** "admin", "agent", "data_clerk", "monitor", "system"; NULL for an unknown role. */
PCRM_EXTERN(const char *) pcrm_role_name(pcrm_role role);

/** Parses a role name as returned by pcrm_role_name(). */
PCRM_EXTERN(int) pcrm_role_parse(const char *name, pcrm_role *out);

/** A stable name of a permission ("archive.write"); NULL for an unknown value. */
PCRM_EXTERN(const char *) pcrm_permission_name(pcrm_permission permission);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_ACTOR_H */
